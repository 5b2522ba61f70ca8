// The exporter's bookkeeping: events in, the registry's own exposition text out (no mocks).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MetricsReporter } from '../../src/exporter/metrics-reporter.js';
import { experimentLabel, seriesLabels } from '../../src/exporter/labels.js';
import { sharesOf } from '../../src/exporter/load-latency.js';
import type { Journal } from '../../src/journal/types.js';
import type { RunStartInfo } from '../../src/reporters/types.js';
import { fault, journalFrom, samplesFrom } from '../analysis/journal-builder.js';

const start = (runId: string, file = '/project/experiments/kill-api.yaml'): RunStartInfo => ({ runId, title: 'Kill api', experimentFile: file, systemFile: '/project/faultline.yaml', startedAt: new Date().toISOString() });

/** The value of one series in the exposition, or undefined when the series is absent. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('a held fault is 1 in faultline_fault_active, 0 once reverted; injections count by kind', async () => {
  const r = new MetricsReporter();
  r.onRunStart(start('run-1'));
  const f = fault('api', 100, 100, { kind: 'pause', status: 'active' });
  r.onFaultInjected(f);
  const held = await r.registry.metrics();
  const series = 'faultline_fault_active{run="run-1",experiment="kill-api",kind="pause",target="api"}';
  assert.equal(value(held, series), 1, held);
  assert.equal(value(held, 'faultline_faults_injected_total{kind="pause"}'), 1);
  r.onFaultReverted({ ...f, status: 'reverted', revertedT: 900 });
  r.onFaultReverted({ ...f, status: 'reverted', revertedT: 900 }); // reported twice: counted once
  const after = await r.registry.metrics();
  assert.equal(value(after, series), 0, after);
  assert.equal(value(after, 'faultline_fault_revert_failures_total'), 0);
});

test('a failed revert counts as a revert failure and the fault stays held; a failed injection is never held', async () => {
  const r = new MetricsReporter();
  r.onRunStart(start('run-1'));
  const f = fault('api', 100, 100, { kind: 'pause', status: 'active' });
  r.onFaultInjected(f);
  r.onFaultReverted({ ...f, status: 'revert-failed', error: 'EPERM' });
  r.onFaultReverted({ ...fault('db', 200, 200, { kind: 'kill' }), status: 'inject-failed', error: 'no such process' });
  const text = await r.registry.metrics();
  assert.equal(value(text, 'faultline_fault_active{run="run-1",experiment="kill-api",kind="pause",target="api"}'), 1, text);
  assert.equal(value(text, 'faultline_fault_revert_failures_total'), 1);
  assert.doesNotMatch(text, /target="db"/, 'an injection that failed was never held');
  assert.equal(value(text, 'faultline_faults_injected_total{kind="kill"}'), undefined);
});

test('probe samples: success and latency per run, service and probe; health samples also set faultline_service_healthy', async () => {
  const r = new MetricsReporter();
  r.onRunStart(start('run-1'));
  for (const s of samplesFrom('service:api', 'ox')) r.onSample(s);
  for (const s of samplesFrom('probe:checkout works', 'o')) r.onSample({ ...s, latencyMs: 250 });
  const text = await r.registry.metrics();
  assert.equal(value(text, 'faultline_probe_success{run="run-1",service="api",probe="health"}'), 0, text);
  assert.equal(value(text, 'faultline_service_healthy{service="api"}'), 0);
  assert.equal(value(text, 'faultline_probe_success{run="run-1",service="",probe="checkout works"}'), 1);
  assert.equal(value(text, 'faultline_probe_latency_seconds{run="run-1",service="",probe="checkout works"}'), 0.25);
});

test('cardinality: the previous run\'s per-run series go when the next run starts, and at close()', async () => {
  const r = new MetricsReporter();
  r.onRunStart(start('run-1'));
  r.onFaultInjected(fault('api', 100, 100, { status: 'active' }));
  for (const s of samplesFrom('service:api', 'o')) r.onSample(s);
  r.onRunStart(start('run-2'));
  for (const s of samplesFrom('service:api', 'o')) r.onSample(s);
  let text = await r.registry.metrics();
  assert.doesNotMatch(text, /run="run-1"/, text);
  assert.match(text, /faultline_probe_success\{run="run-2",service="api",probe="health"\} 1/);
  assert.equal(value(text, 'faultline_faults_injected_total{kind="kill"}'), 1, 'counters keep counting across runs');
  assert.equal(value(text, 'faultline_service_healthy{service="api"}'), 1, 'series without a run id stay');
  r.close();
  text = await r.registry.metrics();
  assert.doesNotMatch(text, /run="/, text);
});

test('load buckets: requests and errors counted; the latency histogram in seconds from the window percentiles', async () => {
  const r = new MetricsReporter();
  r.onRunStart(start('run-1'));
  r.onLoadBucket({ t: 0, durationMs: 1000, requests: 200, errors: 3, latencyMs: { p50: 4, p95: 30, p99: 200, max: 3000 } });
  r.onLoadBucket({ t: 1000, durationMs: 1000, requests: 0, errors: 0, latencyMs: null });
  const text = await r.registry.metrics();
  assert.equal(value(text, 'faultline_load_requests_total{experiment="kill-api"}'), 200, text);
  assert.equal(value(text, 'faultline_load_errors_total{experiment="kill-api"}'), 3);
  assert.equal(value(text, 'faultline_load_latency_seconds_count{experiment="kill-api"}'), 200);
  // 100 at 4 ms, 90 at 30 ms, 8 at 200 ms, 2 at 3 s.
  assert.equal(value(text, 'faultline_load_latency_seconds_bucket{le="0.005",experiment="kill-api"}'), 100);
  assert.equal(value(text, 'faultline_load_latency_seconds_bucket{le="0.05",experiment="kill-api"}'), 190);
  assert.equal(value(text, 'faultline_load_latency_seconds_bucket{le="0.25",experiment="kill-api"}'), 198);
  assert.equal(value(text, 'faultline_load_latency_seconds_bucket{le="2.5",experiment="kill-api"}'), 198);
  assert.equal(value(text, 'faultline_load_latency_seconds_bucket{le="5",experiment="kill-api"}'), 200);
  assert.deepEqual(sharesOf(7), [4, 3, 0, 0]);
  assert.deepEqual(sharesOf(1001), [501, 450, 40, 10]);
});

test('run end: runs by result, guardrail aborts, time to recover of the last run (absent when not recovered)', async () => {
  const r = new MetricsReporter();
  const j = journalFrom({ health: { api: 'oooxxxoooooo', db: 'oooooooooooo' }, faults: [fault('api', 250)], within: 5000 });
  r.onRunStart(start(j.runId));
  let text = await r.registry.metrics();
  for (const result of ['held', 'deviated', 'aborted', 'revert-failed']) assert.equal(value(text, `faultline_runs_total{experiment="kill-api",result="${result}"}`), 0, `${result} starts at 0, so increase() sees the run end`);
  await r.onRunEnd(j);
  text = await r.registry.metrics();
  assert.equal(value(text, 'faultline_runs_total{experiment="kill-api",result="held"}'), 1, text);
  const ttr = value(text, 'faultline_time_to_recover_seconds{experiment="kill-api",service="api"}');
  assert.equal(ttr, j.recovery.find((x) => x.service === 'api')!.timeToRecoverMs! / 1000);
  assert.equal(value(text, 'faultline_guardrail_aborts_total'), 0);

  const aborted: Journal = { ...journalFrom({ health: { api: 'oooxxxxxxxxx' }, faults: [fault('api', 250)], within: 5000 }), status: 'aborted', exitCode: 3, reasons: ['guardrail: error rate 40% > 5% over 10s'] };
  r.onRunStart(start(aborted.runId));
  await r.onRunEnd(aborted);
  text = await r.registry.metrics();
  assert.equal(value(text, 'faultline_runs_total{experiment="kill-api",result="aborted"}'), 1);
  assert.equal(value(text, 'faultline_guardrail_aborts_total'), 1);
  assert.equal(value(text, 'faultline_time_to_recover_seconds{experiment="kill-api",service="api"}'), undefined, 'did not recover in the last run: absent');
});

test('labels: the experiment is the file name without extension; series names split into service and probe', () => {
  assert.equal(experimentLabel('/p/experiments/kill-api.yaml'), 'kill-api');
  assert.equal(experimentLabel('catalog:service-kill'), 'catalog:service-kill');
  assert.equal(experimentLabel('faultline kill api'), 'faultline kill api');
  assert.equal(experimentLabel('exp.ts'), 'exp');
  assert.deepEqual(seriesLabels('service:api'), { service: 'api', probe: 'health' });
  assert.deepEqual(seriesLabels('probe:a:b'), { service: '', probe: 'a:b' });
  assert.equal(seriesLabels('guardrail:error rate'), undefined, 'a PromQL guardrail\'s readings are not a probe');
});
