// The console reporter: plain lines in a log, a live status line on a terminal, the summary.
/* eslint-disable no-control-regex -- the output under test is terminal escape codes */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { FaultRecord, LoadBucket } from '../../src/journal/types.js';
import { ConsoleReporter } from '../../src/reporters/console-reporter.js';
import { analyzeJournal } from '../../src/analysis/index.js';
import { fault, journalFrom, samplesFrom } from '../analysis/journal-builder.js';
import { waitFor } from '../helpers/wait.js';

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY = false) {
    super();
  }
  columns = 200;
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const bucket = (t: number, requests: number, errors: number): LoadBucket => ({ t, durationMs: 1000, requests, errors, latencyMs: { p50: 3, p95: 9, p99: 41, max: 60 } });

test('plain (not a terminal): probe state changes and load figures every few seconds, no colour, no redraw', () => {
  const out = new Capture(false);
  const r = new ConsoleReporter(out, { reorderMs: 0 });
  r.onPhase('method', 1000);
  for (const s of samplesFrom('service:api', 'ooxxo', 100, 1000)) r.onSample(s);
  for (let t = 0; t < 12_000; t += 1000) r.onLoadBucket(bucket(t, 500, t >= 4000 ? 25 : 0));
  const text = out.text;
  assert.doesNotMatch(text, /\x1b/, 'no escape codes');
  assert.match(text, /\[ {3}1\.20s\] {3}api failing: ECONNREFUSED after 1ms\n/);
  assert.match(text, /\[ {3}1\.40s\] {3}api healthy again\n/);
  assert.equal((text.match(/api failing/g) ?? []).length, 1, 'only changes are printed');
  assert.deepEqual(text.match(/load .*/g), ['load 500 req/s, 0.0% errors, p99 41ms', 'load 500 req/s, 5.0% errors, p99 41ms', 'load 500 req/s, 5.0% errors, p99 41ms']);
});

test('on a terminal: a status line with phase, active faults, probe states and load, redrawn in place', async () => {
  const out = new Capture(true);
  const r = new ConsoleReporter(out, { color: false, reorderMs: 0 });
  r.onPhase('method', 0);
  const f: FaultRecord = fault('api', 100, 100, { kind: 'pause', durationMs: 2000 });
  r.onFaultInjected(f);
  for (const s of samplesFrom('service:api', 'ox', 100, 100)) r.onSample(s);
  for (const s of samplesFrom('service:db', 'o', 100, 100)) r.onSample(s);
  r.onLoadBucket(bucket(1000, 480, 12));
  await waitFor(() => out.text.includes('load 480 req/s'), { what: 'the status line to be drawn' });
  const status = out.text.split('\r\x1b[2K').at(-1)!;
  assert.equal(status, 'method · faults: pause api · api ✗ db ✓ · load 480 req/s, 2.5% errors, p99 41ms');
  r.onLog('a log line');
  assert.ok(out.text.endsWith(`\r\x1b[2K  a log line\n${'\r\x1b[2K'}${status}`), 'a line is written above the status line, which is drawn again');
  r.onFaultReverted({ ...f, revertedT: 2100 });
  const j = journalFrom({ health: { api: 'oooooooooooxxxoooooo' }, faults: [fault('api', 1000)], within: 5000 });
  j.analysis = analyzeJournal(j);
  r.onRunEnd(j);
  assert.match(out.text, /\r\x1b\[2K\nSummary · synthetic/, 'the status line is cleared before the summary');
  assert.match(out.text, /Score \d+\/100 \(recovery \d+ · isolation n\/a · degradation \d+ · safety 100\) · maturity \d/);
});

test('the summary in colour names the cascade when it spreads', () => {
  const out = new Capture(false);
  const r = new ConsoleReporter(out, { color: true, reorderMs: 0 });
  const j = journalFrom({ health: { db: 'oooooooooooxxxoooooo', api: 'oooooooooooo55oooooo', web: 'ooooooooooooo5oooooo' }, faults: [fault('db', 1000)], graph: { db: {}, api: { dependsOn: ['db'] }, web: {} }, within: 5000 });
  r.onRunEnd(j);
  assert.match(out.text, /Cascade:\n {4}\x1b\[33mkill db: db down at \+0\.10 s → api 5xx at \+0\.20 s → web 5xx at \+0\.30 s \(not explained by dependsOn\)\x1b\[0m/);
  assert.match(out.text, /\x1b\[32mHELD\x1b\[0m/);
});

test('the summary says when a restarted service was running and ready again', () => {
  const out = new Capture(false);
  const r = new ConsoleReporter(out, { reorderMs: 0 });
  const j = journalFrom({ health: { api: 'oooooooooooxxxoooooo' }, faults: [fault('api', 1000)], within: 5000 });
  j.recovery = j.recovery.map((rec) => (rec.service === 'api' ? { ...rec, restarts: 1, timeToRestartMs: 420, timeToReadyMs: 1310 } : rec));
  r.onRunEnd(j);
  assert.match(out.text, /api +impact after [\d.]+m?s, recovered [\d.]+m?s after the fault, 1 restart \(running again at \+420ms, ready at \+1\.31s\)/);
});

test('guardrails: only changes out of bounds, breached or back within bounds are printed; readings and "unknown" are not', () => {
  const out = new Capture(false);
  const r = new ConsoleReporter(out, { reorderMs: 0 });
  const g = 'abort if error ratio > 0.2 for 2.00s';
  r.onGuardrail({ t: 900, guardrail: 'abort if availability of the system < 90% over 10.0s', status: 'unknown' });
  r.onGuardrail({ t: 1000, guardrail: g, status: 'ok', value: 0.01 });
  r.onSample({ t: 1000, series: 'guardrail:error ratio', ok: true, latencyMs: 3, observed: 'value 0.01' });
  r.onGuardrail({ t: 2000, guardrail: g, status: 'pending', value: 0.3, detail: '0.3, above 0.2 for 0ms of 2.00s' });
  r.onGuardrail({ t: 3000, guardrail: g, status: 'pending', value: 0.4, detail: '0.4, above 0.2 for 1.00s of 2.00s' });
  r.onSample({ t: 3000, series: 'guardrail:error ratio', ok: false, latencyMs: 3, observed: 'value 0.4' });
  r.onGuardrail({ t: 4000, guardrail: g, status: 'ok', value: 0.1 });
  r.onGuardrail({ t: 5000, guardrail: g, status: 'unknown', detail: 'no value: no series' });
  r.onGuardrail({ t: 6000, guardrail: g, status: 'breached', value: 0.9, detail: '0.9, above 0.2' });
  assert.deepEqual(out.text.trimEnd().split('\n'), [
    '[   2.00s]   guardrail out of bounds: error ratio > 0.2 for 2.00s — 0.3, above 0.2 for 0ms of 2.00s',
    '[   4.00s]   guardrail within bounds again: error ratio > 0.2 for 2.00s',
    '[   6.00s]   guardrail BREACHED: error ratio > 0.2 for 2.00s — 0.9, above 0.2',
  ]);
});
