// The README's canonical example, run exactly as documented: from examples/quickstart.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Journal } from '../../src/journal/types.js';
import { repoRoot, runCli, tempDir } from '../helpers/cli.js';
import { httpOk } from '../helpers/processes.js';

const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

test('quickstart: kill-api.yaml starts api, kills it, sees it come back, writes the journal, exits 0', async () => {
  const state = await tempDir();
  const out = await tempDir();
  cleanups.push(state.cleanup, out.cleanup);
  const cwd = join(repoRoot, 'examples', 'quickstart');
  const res = await runCli(['run', 'kill-api.yaml', '--report-dir', out.path], { cwd, env: { FAULTLINE_STATE_DIR: state.path } });
  assert.equal(res.code, 0, res.stdout + res.stderr);
  assert.match(res.stdout, /PASS .*api recovers within 5\.00s/);
  assert.match(res.stdout, /HELD/);

  const journal = JSON.parse(await readFile(join(out.path, 'journal.json'), 'utf8')) as Journal;
  assert.equal(journal.status, 'held');
  assert.equal(journal.exitCode, 0);
  assert.equal(journal.faults.length, 1);
  const [fault] = journal.faults;
  assert.equal(fault!.kind, 'kill');
  assert.equal(fault!.status, 'reverted');
  assert.equal(fault!.service, 'api');
  const api = journal.recovery.find((r) => r.service === 'api')!;
  assert.equal(api.impacted, true);
  assert.equal(api.restarts, 1);
  // Restart delay 1s + the server's 300ms warm-up: recovery takes at least that, and seconds at most
  // (room for a busy machine: the experiment's own `within` is what decides `met`).
  assert.ok(api.timeToRecoverMs! >= 1300 && api.timeToRecoverMs! < 10_000, `timeToRecoverMs ${api.timeToRecoverMs}`);
  assert.equal(api.met, true);
  assert.ok(journal.verdicts.every((v) => v.ok));
  // Before the method: the hypothesis probe, and the health of every service in scope.
  assert.deepEqual(journal.steadyState.before.map((c) => c.ok), [true, true]);
  assert.equal(journal.steadyState.before[1]!.name, 'api is healthy');
  assert.equal(journal.steadyState.after.length, 1);
  assert.ok(journal.timeSeries.some((s) => s.series === 'service:api' && !s.ok), 'the outage is in the time series');
  assert.ok(journal.serviceEvents.some((e) => e.type === 'spawn' && e.restart));
  // It stopped what it started.
  assert.equal(await httpOk('http://127.0.0.1:7101/health'), false);
});

test('quickstart: the TypeScript experiment (defineExperiment) runs through the same schema and runner', async () => {
  const state = await tempDir();
  const out = await tempDir();
  cleanups.push(state.cleanup, out.cleanup);
  const cwd = join(repoRoot, 'examples', 'quickstart');
  const res = await runCli(['run', 'pause-api.ts', '--report-dir', out.path, '--json'], { cwd, env: { FAULTLINE_STATE_DIR: state.path } });
  assert.equal(res.code, 0, res.stdout + res.stderr);
  const journal = JSON.parse(res.stdout) as Journal;
  assert.equal(journal.status, 'held');
  const [fault] = journal.faults;
  assert.equal(fault!.kind, 'pause');
  assert.equal(fault!.durationMs, 2000);
  assert.ok(fault!.revertedT! - fault!.injectedT >= 2000);
  const api = journal.recovery[0]!;
  assert.equal(api.impacted, true);
  assert.ok(api.timeToImpactMs! < 2000, 'impact is seen while paused');
  assert.ok(api.timeToRecoverMs! < 5000, `back ${api.timeToRecoverMs}ms after the pause ended`);
  assert.equal(api.restarts, 0);
});
