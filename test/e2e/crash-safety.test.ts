// Nothing is left broken: kill -9 of faultline during a pause leaves the process stopped only
// until `faultline recover`; Ctrl-C and `faultline stop` revert on the spot and end as aborted.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Journal } from '../../src/journal/types.js';
import { ledgerPath, readLedger } from '../../src/safety/ledger.js';
import { openFaults } from '../../src/safety/open-faults.js';
import { freePort, runCli, startCli, tempDir, waitFor } from '../helpers/cli.js';
import { STARTUP_MS } from '../helpers/wait.js';
import { httpOk, killHard, procState, startServer } from '../helpers/processes.js';

// "Within seconds": the reaper and Ctrl-C act at once; the bound leaves room for a busy machine and
// is far below the pause's minute.
const PROMPT_MS = 20_000;

describe('crash safety of a pause fault', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let port: number;
  let pid: number;
  let env: Record<string, string>;

  before(async () => {
    ({ path: dir, cleanup } = await tempDir());
    port = await freePort();
    const server = startServer(port);
    pid = server.pid!;
    await writeFile(join(dir, 'api.pid'), String(pid));
    await writeFile(
      join(dir, 'faultline.yaml'),
      `services:\n  api:\n    pidFile: api.pid\n    health: { http: "http://127.0.0.1:${port}/", timeout: 300ms }\n`,
    );
    await writeFile(join(dir, 'pause.yaml'), 'title: pause api\nmethod:\n  - fault: pause\n    target: api\n    duration: 60s\n');
    env = { FAULTLINE_STATE_DIR: join(dir, '.state') };
    await waitFor(() => httpOk(`http://127.0.0.1:${port}/`), { what: 'test server', timeoutMs: STARTUP_MS });
  });
  after(async () => {
    killHard(pid);
    await cleanup();
  });

  test('kill -9 of faultline (with --no-reaper) leaves the process stopped until `faultline recover` continues it', async () => {
    const run = startCli(['run', 'pause.yaml', '-r', 'out1', '--no-reaper'], { cwd: dir, env });
    await waitFor(() => procState(pid) === 'T', { what: 'the process to be stopped', timeoutMs: STARTUP_MS });
    run.child.kill('SIGKILL');
    const res = await run.done;
    assert.equal(res.signal, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(procState(pid), 'T', 'still stopped: nothing reverted it yet');

    const plan = await runCli(['run', 'pause.yaml', '--dry-run'], { cwd: dir, env });
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, new RegExp(`- pause → api \\(pid ${pid}\\) for 1m, then reverted`));
    assert.match(plan.stderr, /1 fault\(s\) from earlier runs are still open \(pause on api \(pid \d+\)\); run `faultline recover`/);
    assert.equal(procState(pid), 'T', 'a dry run touches nothing');

    const recover = await runCli(['recover'], { cwd: dir, env });
    assert.equal(recover.code, 0, recover.stdout + recover.stderr);
    assert.match(recover.stdout, /reverted pause on api \(pid \d+\)/);
    assert.notEqual(procState(pid), 'T');
    assert.equal(await httpOk(`http://127.0.0.1:${port}/`), true);

    const again = await runCli(['recover'], { cwd: dir, env });
    assert.equal(again.code, 0);
    assert.match(again.stdout, /nothing to recover/);
  });

  test('kill -9 of faultline: the reaper continues the process within seconds, with nobody typing recover', async () => {
    const run = startCli(['run', 'pause.yaml', '-r', 'out4'], { cwd: dir, env });
    await waitFor(() => procState(pid) === 'T', { what: 'the process to be stopped', timeoutMs: STARTUP_MS });
    run.child.kill('SIGKILL');
    const killedAt = Date.now();
    await run.done;
    await waitFor(() => procState(pid) !== 'T', { what: 'the reaper to send SIGCONT', timeoutMs: PROMPT_MS });
    assert.ok(Date.now() - killedAt < PROMPT_MS, `continued ${Date.now() - killedAt}ms after the kill`);
    assert.equal(await httpOk(`http://127.0.0.1:${port}/`), true);
    await waitFor(async () => openFaults(await readLedger(ledgerPath(env.FAULTLINE_STATE_DIR!))).length === 0, { what: 'the reaper to record its revert', timeoutMs: PROMPT_MS });
    const recover = await runCli(['recover'], { cwd: dir, env });
    assert.match(recover.stdout, /nothing to recover/);
    const audit = await runCli(['audit', '--json'], { cwd: dir, env });
    assert.equal(audit.code, 0, audit.stderr);
    const entries = JSON.parse(audit.stdout) as { event: string; outcome?: string }[];
    assert.ok(entries.some((e) => e.event === 'reaper' && e.outcome === 'reverted'), audit.stdout);
  });

  test('Ctrl-C (SIGINT) reverts at once, writes the journal with status aborted, exits 3', async () => {
    const run = startCli(['run', 'pause.yaml', '-r', 'out2'], { cwd: dir, env });
    await waitFor(() => procState(pid) === 'T', { what: 'the process to be stopped', timeoutMs: STARTUP_MS });
    const sent = Date.now();
    run.child.kill('SIGINT');
    await waitFor(() => procState(pid) !== 'T', { what: 'SIGCONT', timeoutMs: PROMPT_MS });
    assert.ok(Date.now() - sent < PROMPT_MS, `reverted ${Date.now() - sent}ms after Ctrl-C, not at the end of the minute`);
    const res = await run.done;
    assert.equal(res.code, 3, res.stdout + res.stderr);
    const journal = JSON.parse(await readFile(join(dir, 'out2', 'journal.json'), 'utf8')) as Journal;
    assert.equal(journal.status, 'aborted');
    assert.match(journal.reasons.join(' '), /Ctrl-C/);
    assert.equal(journal.faults[0]!.status, 'reverted');
  });

  test('`faultline stop` aborts a run in progress: reverted, status aborted, exit 3', async () => {
    const run = startCli(['run', 'pause.yaml', '-r', 'out3'], { cwd: dir, env });
    await waitFor(() => procState(pid) === 'T', { what: 'the process to be stopped', timeoutMs: STARTUP_MS });
    const stop = await runCli(['stop', '--reason', 'pager went off'], { cwd: dir, env });
    assert.equal(stop.code, 0, stop.stdout + stop.stderr);
    assert.match(stop.stdout, /stopped 1 run/);
    const res = await run.done;
    assert.equal(res.code, 3, res.stdout + res.stderr);
    assert.notEqual(procState(pid), 'T');
    const journal = JSON.parse(await readFile(join(dir, 'out3', 'journal.json'), 'utf8')) as Journal;
    assert.equal(journal.status, 'aborted');
    assert.match(journal.reasons.join(' '), /emergency stop by .*pager went off/);
    const recover = await runCli(['recover'], { cwd: dir, env });
    assert.match(recover.stdout, /nothing to recover/);
  });
});

test('a target that is gone before the run aborts in preflight; one that dies before its fault aborts at injection', async () => {
  const { path: dir, cleanup } = await tempDir();
  const env = { FAULTLINE_STATE_DIR: join(dir, '.state') };
  try {
    const port = await freePort();
    await writeFile(join(dir, 'faultline.yaml'), `services:\n  api:\n    pid: 999999\n    health: { tcp: "127.0.0.1:${port}" }\n`);
    await writeFile(join(dir, 'k.yaml'), 'title: kill a ghost\nmethod:\n  - fault: kill\n    target: api\n');
    const gone = await runCli(['run', 'k.yaml', '-r', 'out', '--json'], { cwd: dir, env });
    assert.equal(gone.code, 3, gone.stderr);
    const j1 = JSON.parse(gone.stdout) as Journal;
    assert.equal(j1.status, 'aborted');
    assert.match(j1.reasons[0]!, /preflight: service api: pid 999999 .* is not running/);
    assert.equal(j1.faults.length, 0);

    // The target must be alive at preflight and gone at its fault, whatever the machine's load: a
    // timed death (`sleep 1.5`) once died before preflight on a busy machine. So it lives until a
    // flag file appears, and the steady-state probe (checked after preflight, before the method)
    // creates the flag and returns only once the target is gone (dead and reaped, not a zombie).
    const flag = join(dir, 'die-now');
    const shortLived = spawn('sh', ['-c', `while [ ! -e '${flag}' ]; do sleep 0.02; done`], { stdio: 'ignore' });
    const pid = shortLived.pid!;
    const killIt = `touch '${flag}'; while kill -0 ${pid} 2>/dev/null && [ "$(cut -d' ' -f3 /proc/${pid}/stat 2>/dev/null)" != Z ]; do sleep 0.02; done`;
    await writeFile(join(dir, 'faultline.yaml'), `services:\n  api:\n    pid: ${pid}\n`);
    await writeFile(
      join(dir, 'late.yaml'),
      `title: kill it too late\nhypothesis:\n  probes:\n    - name: target dies\n      command: ${JSON.stringify(killIt)}\n      timeout: 30s\nmethod:\n  - fault: kill\n    target: api\n`,
    );
    const late = await runCli(['run', 'late.yaml', '-r', 'out2', '--json'], { cwd: dir, env });
    assert.equal(late.code, 3, late.stderr);
    const j2 = JSON.parse(late.stdout) as Journal;
    assert.match(j2.reasons[0]!, new RegExp(`fault kill on api could not be injected: .*${pid}`));
    const recover = await runCli(['recover'], { cwd: dir, env });
    assert.match(recover.stdout, /nothing to recover/);
  } finally {
    await cleanup();
  }
});
