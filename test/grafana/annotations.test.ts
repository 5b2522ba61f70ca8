// Grafana annotations (--grafana-url): the exact requests, checked by a stand-in for Grafana's
// documented annotations API (no Grafana server runs here); and a Grafana that is down, failing
// or hanging never fails a run and delays it by at most the client's timeout, with one warning.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { faultAnnotation, verdictAnnotation } from '../../src/grafana/annotations.js';
import { GrafanaAnnotationsReporter } from '../../src/grafana/annotations-reporter.js';
import { GRAFANA_TIMEOUT_MS, GrafanaClient, grafanaToken } from '../../src/grafana/grafana-client.js';
import type { Journal } from '../../src/journal/types.js';
import { fault, journalFrom } from '../analysis/journal-builder.js';
import { writeHeldFault } from '../exporter/held-fault.js';
import { freePort, runCli, tempDir } from '../helpers/cli.js';
import { problems, startGrafanaStandIn } from './grafana-stand-in.js';

const TOKEN = 'glsa_test_token_123';
const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

test('faultline run --grafana-url: a region per fault and a point with the verdict, as Grafana documents them, with the token from the environment', async () => {
  const grafana = await startGrafanaStandIn(TOKEN);
  cleanups.push(grafana.close);
  const t = await tempDir('faultline-grafana-');
  cleanups.push(t.cleanup);
  const { experiment } = await writeHeldFault(t.path, { name: 'held-pause', holdMs: 800 });
  const res = await runCli(['run', experiment, '--grafana-url', `${grafana.url}/`, '-r', join(t.path, 'report')], {
    cwd: t.path,
    env: { FAULTLINE_STATE_DIR: join(t.path, '.faultline'), FAULTLINE_GRAFANA_TOKEN: TOKEN, GRAFANA_TOKEN: 'not-this-one' },
    timeoutMs: 60_000,
  });
  assert.equal(res.code, 0, res.stdout + res.stderr);
  assert.deepEqual(grafana.rejected, [], 'every request matched the documented shape');
  assert.doesNotMatch(res.stderr, /warning/);
  const journal = JSON.parse(await readFile(join(t.path, 'report', 'journal.json'), 'utf8')) as Journal;
  const f = journal.faults[0]!;
  assert.equal(grafana.received.length, 2, JSON.stringify(grafana.received.map((r) => r.body)));
  const [region, verdict] = grafana.received.map((r) => r.body);
  assert.deepEqual(region, {
    time: Date.parse(f.injectedAt),
    timeEnd: Date.parse(f.revertedAt!),
    tags: ['faultline', 'fault', 'kind:pause', 'target:api', 'experiment:held-pause', `run:${journal.runId}`],
    text: `pause on ${f.target} · experiment held-pause · run ${journal.runId}`,
  });
  assert.ok(region!.timeEnd! - region!.time >= 800, `the region spans the 800 ms hold: ${region!.timeEnd! - region!.time} ms`);
  assert.deepEqual(verdict, {
    time: Date.parse(journal.endedAt),
    tags: ['faultline', 'verdict', 'result:held', 'experiment:held-pause', `run:${journal.runId}`],
    text: `held-pause: held (exit 0) · run ${journal.runId}`,
  });
  assert.equal(grafana.received[0]!.headers.accept, 'application/json');
});

test('the stand-in holds requests to the documented shape (so the test above can fail)', () => {
  const req = (headers: Record<string, string>, method = 'POST', url = '/api/annotations') => ({ method, url, headers }) as unknown as Parameters<typeof problems>[0];
  const good = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const body = (o: object) => JSON.stringify({ time: 1_700_000_000_000, tags: ['faultline'], text: 'x', ...o });
  assert.deepEqual(problems(req(good), body({}), TOKEN), []);
  assert.deepEqual(problems(req(good), body({ timeEnd: 1_700_000_001_000 }), TOKEN), []);
  assert.deepEqual(problems(req({ ...good, authorization: TOKEN }), body({}), TOKEN), ['authorization "glsa_test_token_123", expected Bearer <token>']);
  assert.deepEqual(problems(req(good, 'PUT', '/api/annotation'), body({}), TOKEN), ['method PUT, expected POST', 'path /api/annotation, expected /api/annotations']);
  assert.deepEqual(problems(req({ ...good, 'content-type': 'text/plain' }), body({}), TOKEN), ['content-type text/plain, expected application/json']);
  assert.deepEqual(problems(req(good), body({ time: 1_700_000_000 }), TOKEN), ['time 1700000000: expected epoch milliseconds']);
  assert.deepEqual(problems(req(good), body({ timeEnd: 1 }), TOKEN), ['timeEnd 1: expected epoch milliseconds >= time']);
  assert.deepEqual(problems(req(good), body({ tags: 'faultline', start: 1 }), TOKEN), ['unknown field start', 'tags: expected an array of non-empty strings']);
});

test('bodies: a failed revert says so and ends at the time of posting; a deviated verdict gives its reasons', () => {
  const run = { runId: 'r1', experiment: 'kill-api' };
  const failed = faultAnnotation(fault('api', 100, 100, { kind: 'pause', status: 'revert-failed', revertedAt: undefined, error: 'EPERM' }), run, 1_700_000_005_000);
  assert.deepEqual(failed, {
    time: 1_700_000_000_100,
    timeEnd: 1_700_000_005_000,
    tags: ['faultline', 'fault', 'kind:pause', 'target:api', 'experiment:kill-api', 'run:r1'],
    text: 'pause on api (pid 1) — REVERT FAILED: EPERM (run faultline recover) · experiment kill-api · run r1',
  });
  const j: Journal = { ...journalFrom({ health: { api: 'oooxxxxxxxxx' }, faults: [fault('api', 250)], within: 500 }), status: 'deviated', exitCode: 1, reasons: ['api did not recover within 500ms'] };
  const v = verdictAnnotation(j, run);
  assert.equal(v.timeEnd, undefined, 'a point');
  assert.deepEqual(v.tags, ['faultline', 'verdict', 'result:deviated', 'experiment:kill-api', 'run:r1']);
  assert.equal(v.text, 'kill-api: deviated (exit 1): api did not recover within 500ms · run r1');
});

test('the token: FAULTLINE_GRAFANA_TOKEN, else GRAFANA_TOKEN, never a flag', () => {
  assert.equal(grafanaToken({ FAULTLINE_GRAFANA_TOKEN: 'a', GRAFANA_TOKEN: 'b' }), 'a');
  assert.equal(grafanaToken({ GRAFANA_TOKEN: 'b' }), 'b');
  assert.equal(grafanaToken({ FAULTLINE_GRAFANA_TOKEN: '' }), undefined);
});

/** Feeds a fault and a run end to the reporter; how long the run's end waited, and the warnings. */
async function endOfRun(url: string, timeoutMs: number): Promise<{ waitedMs: number; warnings: string[] }> {
  const warnings: string[] = [];
  const reporter = new GrafanaAnnotationsReporter(new GrafanaClient({ url, token: TOKEN, timeoutMs, warn: (m) => warnings.push(m) }));
  const j = journalFrom({ health: { api: 'oooxxxoooooo' }, faults: [fault('api', 250, 650, { kind: 'pause' })], within: 5000 });
  reporter.onRunStart({ runId: j.runId, title: j.title, experimentFile: j.experimentFile, systemFile: j.systemFile, startedAt: j.startedAt });
  reporter.onFaultReverted(j.faults[0]!);
  const t0 = performance.now();
  await reporter.onRunEnd(j);
  return { waitedMs: performance.now() - t0, warnings };
}

test('a Grafana that refuses connections, answers 500 or never answers: the run end waits at most the timeout, and one warning says why', async () => {
  const failing = await startGrafanaStandIn(TOKEN, 'error');
  const hanging = await startGrafanaStandIn(TOKEN, 'hang');
  cleanups.push(failing.close, hanging.close);
  const closed = `http://127.0.0.1:${await freePort()}`;
  // The refused and failing posts get a timeout they should never reach, so their warning gives
  // their own reason even when a busy machine is slow to deliver the refusal; the hanging one a short one.
  const cases: [string, string, number, RegExp][] = [
    ['closed port', closed, 10_000, /ECONNREFUSED/],
    ['500', failing.url, 10_000, /answered 500 Internal Server Error: \{"message":"Failed to save annotation"\}/],
    ['hanging', hanging.url, 400, /did not answer within 0\.4 s/],
  ];
  for (const [name, url, timeoutMs, why] of cases) {
    const { waitedMs, warnings } = await endOfRun(url, timeoutMs);
    assert.equal(warnings.length, 1, `${name}: one warning for two failed posts: ${warnings.join('\n')}`);
    assert.match(warnings[0]!, /^faultline: warning: Grafana annotation not posted \(--grafana-url; later failures are not repeated\): /);
    assert.match(warnings[0]!, why, name);
    // Generous: the bound is the timeout, plus scheduling on a busy machine.
    assert.ok(waitedMs < timeoutMs + 2000, `${name}: the run's end waited ${Math.round(waitedMs)} ms (timeout ${timeoutMs} ms)`);
  }
});

test('faultline run with a Grafana that never answers: exit 0 and one warning (each post gives up after 3 s)', async () => {
  const hanging = await startGrafanaStandIn(TOKEN, 'hang');
  cleanups.push(hanging.close);
  const t = await tempDir('faultline-grafana-hang-');
  cleanups.push(t.cleanup);
  const { experiment } = await writeHeldFault(t.path, { holdMs: 300 });
  const res = await runCli(['run', experiment, '--grafana-url', hanging.url, '-r', join(t.path, 'report')], {
    cwd: t.path,
    env: { FAULTLINE_STATE_DIR: join(t.path, '.faultline'), GRAFANA_TOKEN: TOKEN },
    timeoutMs: 60_000,
  });
  assert.equal(res.code, 0, res.stdout + res.stderr);
  const warnings = res.stderr.match(/faultline: warning: Grafana annotation not posted.*/g) ?? [];
  assert.deepEqual(warnings, [`faultline: warning: Grafana annotation not posted (--grafana-url; later failures are not repeated): ${hanging.url}/api/annotations did not answer within ${GRAFANA_TIMEOUT_MS / 1000} s`]);
  assert.doesNotMatch(res.stderr, /still running .* after finishing/, 'no request is left holding the process open');
});
