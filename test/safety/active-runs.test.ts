import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { listActiveRuns, readRun, readStopRequest, registerRun, requestStop, runsDir, unregisterRun } from '../../src/safety/active-runs.js';
import { deadPid, killQuietly, removeDir, spawnIdle, startFakeRun, tempDir } from './helpers.js';

const run = (runId: string, pid: number, startedAt = '2026-01-01T00:00:00.000Z') => ({ runId, pid, title: `run ${runId}`, file: 'exp.yaml', startedAt });

describe('active runs', () => {
  let root: string;
  let n = 0;
  const children: ChildProcess[] = [];
  const newStateDir = () => join(root, `state-${++n}`);
  before(async () => {
    root = await tempDir();
  });
  after(async () => {
    children.forEach(killQuietly);
    await removeDir(root);
  });

  it('lists no runs for a state dir that does not exist', async () => {
    assert.deepEqual(await listActiveRuns(newStateDir()), { active: [], stale: [], unreadable: [] });
  });

  it('tells live runs from stale ones by their real pids', async () => {
    const stateDir = newStateDir();
    const child = spawnIdle();
    children.push(child);
    const path = await registerRun(stateDir, run('live', child.pid!, '2026-01-01T00:00:02.000Z'));
    await registerRun(stateDir, run('crashed', await deadPid()));
    await registerRun(stateDir, run('me', process.pid, '2026-01-01T00:00:01.000Z'));
    assert.equal(path, join(runsDir(stateDir), 'live.json'));
    assert.deepEqual(
      (await readdir(runsDir(stateDir))).sort(),
      ['crashed.json', 'live.json', 'me.json'],
      'no temp files are left behind',
    );

    const runs = await listActiveRuns(stateDir);
    assert.deepEqual(
      runs.active.map((r) => r.runId),
      ['me', 'live'],
    );
    assert.deepEqual(
      runs.stale.map((r) => r.runId),
      ['crashed'],
    );
    assert.equal(runs.active[1]!.title, 'run live');

    child.kill('SIGKILL');
    await once(child, 'exit');
    assert.deepEqual(
      (await listActiveRuns(stateDir)).stale.map((r) => r.runId),
      ['crashed', 'live'],
    );

    await unregisterRun(stateDir, 'live');
    await unregisterRun(stateDir, 'live'); // idempotent
    assert.equal(await readRun(stateDir, 'live'), undefined);
  });

  it('does not mistake a reused pid for the run', async () => {
    const stateDir = newStateDir();
    await registerRun(stateDir, run('old', process.pid));
    const path = join(runsDir(stateDir), 'old.json');
    const record = JSON.parse(await readFile(path, 'utf8')) as { pidStartTime?: string };
    assert.ok(record.pidStartTime, 'the start time is recorded on Linux');
    await writeFile(path, JSON.stringify({ ...record, pidStartTime: '1' }));
    const runs = await listActiveRuns(stateDir);
    assert.deepEqual(
      runs.stale.map((r) => r.runId),
      ['old'],
    );
  });

  it('reports unreadable files instead of dropping them silently', async () => {
    const stateDir = newStateDir();
    await registerRun(stateDir, run('me', process.pid));
    await writeFile(join(runsDir(stateDir), 'junk.json'), '{"runId":');
    const runs = await listActiveRuns(stateDir);
    assert.deepEqual(runs.unreadable, [join(runsDir(stateDir), 'junk.json')]);
    assert.equal(runs.active.length, 1);
  });

  it('rejects run ids that are not a plain file name', async () => {
    await assert.rejects(registerRun(newStateDir(), run('../escape', process.pid)), { code: 'E_USAGE' });
    await assert.rejects(requestStop(newStateDir(), 'nobody', { by: 'me', reason: 'x' }), { code: 'E_USAGE', message: /no run "nobody"/ });
  });

  it('delivers a stop request with SIGTERM to a real run, which can tell who asked', async () => {
    const stateDir = newStateDir();
    const outFile = join(root, `${n}-out.json`);
    const child = await startFakeRun({ stateDir, runId: 'r1', mode: 'cooperative', outFile });
    children.push(child);
    assert.equal(await readStopRequest(stateDir, 'r1'), undefined);

    const exited = once(child, 'exit');
    const { signalled, run: stopped } = await requestStop(stateDir, 'r1', { by: 'alice', reason: 'pager went off' });
    assert.equal(signalled, true);
    assert.equal(stopped.pid, child.pid);
    const [code] = await exited;
    assert.equal(code, 3);

    const seen = JSON.parse(await readFile(outFile, 'utf8')) as { stop: { by: string; reason: string; pid: number; runId: string } };
    assert.equal(seen.stop.by, 'alice');
    assert.equal(seen.stop.reason, 'pager went off');
    assert.equal(seen.stop.pid, process.pid);
    assert.equal(seen.stop.runId, 'r1');
    // The run unregistered itself on the way out, stop file included.
    assert.deepEqual(await readdir(runsDir(stateDir)), []);
  });

  it('records the request but signals nothing when the run is already dead', async () => {
    const stateDir = newStateDir();
    await registerRun(stateDir, run('gone', await deadPid()));
    const { signalled } = await requestStop(stateDir, 'gone', { by: 'bob', reason: 'cleanup' });
    assert.equal(signalled, false);
    assert.equal((await readStopRequest(stateDir, 'gone'))?.by, 'bob');
  });
});
