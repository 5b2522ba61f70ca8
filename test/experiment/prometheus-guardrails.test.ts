// PromQL guardrails and probes in the experiment file (validated before anything runs), and how a
// guardrail judges its readings over time (`for`, gaps, onNoData). The guardrail aborting a real run
// on a real Prometheus is test/observability/promql-guardrail.test.ts.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { faultRegistry } from '../../src/drivers/index.js';
import { ValidationError, type ValidationIssue } from '../../src/errors/index.js';
import { loadExperiment } from '../../src/experiment/loader/load-experiment.js';
import type { PromqlOutcome } from '../../src/probes/promql.js';
import { describePrometheusGuardrail, PromqlGuardrailJudge, type PrometheusGuardrail } from '../../src/safety/prometheus-guardrail.js';
import { tempDir } from '../helpers/cli.js';

const kinds = faultRegistry();
let dir: string;
let cleanup: () => Promise<void>;
before(async () => {
  ({ path: dir, cleanup } = await tempDir());
  await writeFile(join(dir, 'faultline.yaml'), 'services:\n  api:\n    pid: 1\n    health: { http: "http://127.0.0.1:1/" }\n');
});
after(() => cleanup());

const PROM = 'http://127.0.0.1:9090';

async function issuesOf(name: string, text: string): Promise<Map<string, ValidationIssue>> {
  const file = join(dir, name);
  await writeFile(file, text);
  try {
    await loadExperiment(file, { kinds });
  } catch (err) {
    assert.ok(err instanceof ValidationError, String(err));
    for (const issue of err.issues) assert.equal(issue.file, file);
    return new Map(err.issues.map((i) => [i.path, i]));
  }
  assert.fail('expected the experiment to be rejected');
}

describe('PromQL in the experiment file', () => {
  test('a valid probe and guardrail load, with defaults filled', async () => {
    const file = join(dir, 'ok.yaml');
    await writeFile(
      file,
      `title: t
hypothesis:
  probes:
    - name: error rate under 5%
      prometheus: { url: ${PROM}, query: 'sum(rate(x[1m]))', aggregate: max }
      expect: { value: { max: 0.05 } }
method: [{ fault: pause, target: api, duration: 1s }]
guardrails:
  prometheus:
    - { url: ${PROM}, query: 'sum(rate(errors[30s]))', max: 3, for: 5s }
`,
    );
    const loaded = await loadExperiment(file, { kinds });
    assert.deepEqual(loaded.experiment.hypothesis.probes[0]!.prometheus, { url: PROM, query: 'sum(rate(x[1m]))', aggregate: 'max' });
    assert.deepEqual(loaded.experiment.guardrails.prometheus, [{ url: PROM, query: 'sum(rate(errors[30s]))', max: 3, for: 5000, interval: 1000, onNoData: 'continue' }]);
  });

  test('every mistake is named with its path and line before anything runs', async () => {
    delete process.env.FAULTLINE_TEST_UNSET_TOKEN;
    const issues = await issuesOf(
      'bad.yaml',
      `title: t
hypothesis:
  probes:
    - name: grew
      prometheus: { url: ${PROM}, query: 'x', bearerTokenEnv: FAULTLINE_TEST_UNSET_TOKEN }
      expect: { increase: { min: 1 } }
    - name: empty
      prometheus: { url: ${PROM}, query: '  ' }
    - name: both
      prometheus: { url: ${PROM}, query: 'x' }
      metrics: { url: ${PROM}/metrics, name: x }
method: [{ fault: pause, target: api, duration: 1s }]
guardrails:
  prometheus:
    - { url: ${PROM}, query: 'x' }
    - { url: ${PROM}, query: 'x', min: 5, max: 1, interval: 10ms }
    - { url: 'ftp://x', query: 'x', max: 1, onNoData: panic }
`,
    );
    assert.match(issues.get('hypothesis.probes[0].expect.increase')!.message, /prometheus probes take a value tolerance: compute the growth in the query, e.g. increase\(metric\[1m\]\)/);
    assert.equal(issues.get('hypothesis.probes[0].expect.increase')!.line, 6);
    assert.match(issues.get('hypothesis.probes[1].prometheus.query')!.message, /expected a PromQL query/);
    assert.match(issues.get('hypothesis.probes[2]')!.message, /expected only one of http, tcp, command, metrics, prometheus or kubernetes, got metrics and prometheus/);
    assert.match(issues.get('guardrails.prometheus[0]')!.message, /expected max, min or both/);
    assert.match(issues.get('guardrails.prometheus[1]')!.message, /expected min <= max/);
    assert.match(issues.get('guardrails.prometheus[1].interval')!.message, /at least 100ms/);
    assert.ok(issues.has('guardrails.prometheus[2].url'), [...issues.keys()].join(', '));
    assert.ok(issues.has('guardrails.prometheus[2].onNoData'), [...issues.keys()].join(', '));
  });

  test('a bearer token variable that is not set is refused at load, naming the variable', async () => {
    delete process.env.FAULTLINE_TEST_UNSET_TOKEN;
    const issues = await issuesOf(
      'token.yaml',
      `title: t
method: [{ fault: pause, target: api, duration: 1s }]
guardrails:
  prometheus:
    - { url: ${PROM}, query: 'x', max: 1, bearerTokenEnv: FAULTLINE_TEST_UNSET_TOKEN }
`,
    );
    const issue = issues.get('guardrails.prometheus[0].bearerTokenEnv')!;
    assert.equal(issue.message, 'environment variable FAULTLINE_TEST_UNSET_TOKEN is not set: it must hold the bearer token for this Prometheus');
    assert.equal(issue.line, 5);
  });
});

describe('a PromQL guardrail judging its readings', () => {
  const g = (extra: Partial<PrometheusGuardrail> = {}): PrometheusGuardrail => ({ url: PROM, query: 'err_ratio', max: 0.2, for: 0, interval: 1000, onNoData: 'continue', ...extra });
  const value = (v: number): PromqlOutcome => ({ ok: true, status: 200, latencyMs: 3, reading: { resultType: 'vector', series: 1, value: v } });
  const none: PromqlOutcome = { ok: false, latencyMs: 3, error: 'Prometheus at http://127.0.0.1:9090 did not answer (ECONNREFUSED)' };

  test('without for, the first reading out of bounds aborts, naming the value and the bound', () => {
    const judge = new PromqlGuardrailJudge(g({ name: 'checkout error rate' }));
    assert.deepEqual(judge.judge(value(0.05), 100), { status: 'ok', value: 0.05 });
    const v = judge.judge(value(0.31), 1100);
    assert.equal(v.status, 'breached');
    assert.equal(v.abort, "checkout error rate was 0.31, above 0.2 (the guardrail's bound)");
  });

  test('with for, the bound must be broken on every reading for that long; a reading within bounds or a gap starts over', () => {
    const judge = new PromqlGuardrailJudge(g({ for: 3000, min: 0.01 }));
    assert.equal(judge.judge(value(0.5), 0).status, 'pending');
    assert.equal(judge.judge(value(0.5), 2000).detail, '0.5, above 0.2 for 2.00s of 3.00s');
    assert.equal(judge.judge(value(0.1), 2500).status, 'ok');
    assert.equal(judge.judge(value(0.5), 3000).status, 'pending');
    assert.equal(judge.judge(none, 4000).status, 'unknown');
    assert.equal(judge.judge(value(0.001), 5000).status, 'pending');
    assert.equal(judge.judge(value(0.001), 7000).status, 'pending');
    const v = judge.judge(value(0.001), 8000);
    assert.equal(v.status, 'breached');
    assert.equal(v.abort, "PromQL err_ratio was 0.001 for 3.00s, below 0.01 (the guardrail's bound)");
  });

  test('no value: the run goes on by default, or aborts with onNoData: abort', () => {
    assert.deepEqual(new PromqlGuardrailJudge(g()).judge(none, 0), { status: 'unknown', detail: `no value: ${none.ok ? '' : none.error}` });
    const strict = new PromqlGuardrailJudge(g({ onNoData: 'abort' })).judge(none, 0);
    assert.equal(strict.status, 'breached');
    assert.match(strict.abort!, /^PromQL err_ratio has no value \(onNoData: abort\): Prometheus at .* did not answer \(ECONNREFUSED\)$/);
  });

  test('described for the plan, reports and dashboards', () => {
    assert.equal(describePrometheusGuardrail(g({ for: 5000, min: 1 })), 'abort if PromQL err_ratio > 0.2 or < 1 for 5.00s');
    assert.equal(describePrometheusGuardrail(g({ name: 'p95 of checkout' })), 'abort if p95 of checkout > 0.2');
  });
});
