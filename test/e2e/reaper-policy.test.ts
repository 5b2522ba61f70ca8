// The reaper never reverts a live run behind its back: a frozen run keeps its fault; a run that
// loses its reaper aborts and reverts; a run frozen past its deadline is killed, then reverted;
// and a run whose reaper cannot start injects nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readAudit } from '../../src/safety/audit.js';
import { ledgerPath, readLedger } from '../../src/safety/ledger.js';
import { freePort, runCli, startCli, tempDir, waitFor } from '../helpers/cli.js';
import { httpOk, isAlive, killHard, procState, startServer } from '../helpers/processes.js';

/** The reaper is the run's only child started from reaper-main.js. */
function reaperOf(runPid: number): number | undefined {
  const out = spawnSync('pgrep', ['-P', String(runPid), '-f', 'reaper-main'], { encoding: 'utf8' }).stdout.trim();
  return out ? Number(out.split('\n')[0]) : undefined;
}

describe('the reaper and a live run', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let port: number;
  let pid: number;
  let n = 0;

  before(async () => {
    ({ path: dir, cleanup } = await tempDir());
    port = await freePort();
    pid = startServer(port).pid!;
    await writeFile(join(dir, 'api.pid'), String(pid));
    await writeFile(join(dir, 'faultline.yaml'), `services:\n  api:\n    pidFile: api.pid\n    health: { http: "http://127.0.0.1:${port}/", timeout: 300ms }\n`);
    await waitFor(() => httpOk(`http://127.0.0.1:${port}/`), { what: 'test server' });
  });
  after(async () => {
    killHard(pid);
    await cleanup();
  });

  const pauseFile = async (duration: string, extra = '') => {
    const file = `pause-${++n}.yaml`;
    await writeFile(join(dir, file), `title: pause api\n${extra}method:\n  - fault: pause\n    target: api\n    duration: ${duration}\n`);
    return file;
  };
  const stateOf = () => join(dir, `.state-${n}`);

  test('a run frozen longer than the reaper tolerates silence keeps its fault, and reverts it itself', async () => {
    const file = await pauseFile('4s');
    const env = { FAULTLINE_STATE_DIR: stateOf(), FAULTLINE_REAPER_SILENCE_MS: '300' };
    const run = startCli(['run', file, '-r', `out-${n}`], { cwd: dir, env });
    await waitFor(() => procState(pid) === 'T', { what: 'the pause', timeoutMs: 30_000 });
    run.child.kill('SIGSTOP');
    try {
      // Many times the silence the reaper tolerates: before, it reverted here, behind the run's back.
      const frozenUntil = Date.now() + 1500;
      while (Date.now() < frozenUntil) {
        assert.equal(procState(pid), 'T', 'the target stays paused while its run is frozen but alive');
        await new Promise((r) => setTimeout(r, 50));
      }
      await waitFor(async () => /silent for \d+ s but is alive: watching, not reverting/.test(await readFile(join(stateOf(), 'logs', 'reaper.log'), 'utf8').catch(() => '')), { what: 'the reaper to notice the silence' });
    } finally {
      run.child.kill('SIGCONT');
    }
    const res = await run.done;
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.notEqual(procState(pid), 'T');
    const audit = await readAudit(stateOf());
    const reverts = audit.filter((e) => e.event === 'fault-reverted');
    assert.deepEqual(
      reverts.map((e) => e.pid),
      [run.child.pid],
      'reverted once, by the run',
    );
    assert.equal(audit.filter((e) => e.event === 'reaper').length, 0);
  });

  test('a run whose reaper dies aborts: its fault is reverted at once and it exits 3', async () => {
    const file = await pauseFile('60s');
    const env = { FAULTLINE_STATE_DIR: stateOf() };
    const run = startCli(['run', file, '-r', `out-${n}`], { cwd: dir, env });
    await waitFor(() => procState(pid) === 'T', { what: 'the pause', timeoutMs: 30_000 });
    const reaper = await waitFor(() => reaperOf(run.child.pid!), { what: 'the reaper process' });
    process.kill(reaper, 'SIGKILL');
    const res = await run.done;
    assert.equal(res.code, 3, res.stdout + res.stderr);
    assert.match(res.stdout + res.stderr, /the reaper \(pid \d+\) exited unexpectedly \(SIGKILL\)/);
    assert.notEqual(procState(pid), 'T');
    const journal = JSON.parse(await readFile(join(dir, `out-${n}`, 'journal.json'), 'utf8')) as { status: string; faults: { status: string }[] };
    assert.equal(journal.status, 'aborted');
    assert.deepEqual(
      journal.faults.map((f) => f.status),
      ['reverted'],
    );
  });

  test('a run frozen past its deadline is killed by the reaper, which then reverts its fault and says why', async () => {
    // Long enough that the run is frozen well before its own maxDuration timer could fire, on a busy machine too.
    const file = await pauseFile('60s', 'maxDuration: 15s\n');
    const env = { FAULTLINE_STATE_DIR: stateOf(), FAULTLINE_REAPER_GRACE_MS: '500', FAULTLINE_REAPER_SILENCE_MS: '300' };
    const run = startCli(['run', file, '-r', `out-${n}`], { cwd: dir, env });
    await waitFor(() => procState(pid) === 'T', { what: 'the pause', timeoutMs: 30_000 });
    run.child.kill('SIGSTOP'); // before its own maxDuration timer can fire: only the reaper can end this
    const res = await run.done;
    assert.equal(res.signal, 'SIGKILL');
    await waitFor(() => procState(pid) !== 'T', { what: 'the reaper to revert the pause', timeoutMs: 30_000 });
    assert.equal(await httpOk(`http://127.0.0.1:${port}/`), true);
    const killed = await waitFor(async () => (await readAudit(stateOf())).find((e) => e.event === 'reaper' && e.outcome === 'killed-run'), { what: 'the audit line' });
    assert.match(killed.detail ?? '', /still alive at its deadline .*killed it \(SIGKILL\) before reverting its faults/);
    const reverted = await waitFor(async () => (await readAudit(stateOf())).find((e) => e.event === 'fault-reverted'), { what: 'the revert in the audit trail' });
    assert.equal(reverted.outcome, 'reverted by reaper');
    assert.match(reverted.detail ?? '', /killed it \(SIGKILL\)/);
    assert.equal(isAlive(run.child.pid!), false);
  });

  test('a run whose reaper cannot start injects nothing and says so (exit 3)', async (t) => {
    const file = await pauseFile('5s');
    const state = stateOf();
    await mkdir(join(state, 'logs'), { recursive: true });
    const log = join(state, 'logs', 'reaper.log');
    await writeFile(log, '');
    // An immutable log (chattr +i refuses even root), like a read-only or full disk would.
    if (spawnSync('chattr', ['+i', log]).status !== 0) return t.skip('needs chattr +i (root, ext4) to make the reaper\'s log unwritable');
    try {
      const res = await runCli(['run', file, '-r', `out-${n}`], { cwd: dir, env: { FAULTLINE_STATE_DIR: state } });
      assert.equal(res.code, 3, res.stdout + res.stderr);
      assert.match(res.stderr, /the reaper did not start: cannot open its log: .*nothing was injected\. Use --no-reaper/);
      assert.notEqual(procState(pid), 'T');
      assert.deepEqual(await readLedger(ledgerPath(state)), []);
    } finally {
      spawnSync('chattr', ['-i', log]);
    }
  });
});
