// `faultline recover` as a user meets it: found from another directory through the per-user index
// of state directories, each revert printed once, and an unreadable ledger line is never "all clear".
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, runCli, startCli, tempDir, waitFor } from '../helpers/cli.js';
import { httpOk, killHard, procState, startServer } from '../helpers/processes.js';

describe('faultline recover', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let port: number;
  let pid: number;
  let xdg: string;

  before(async () => {
    ({ path: dir, cleanup } = await tempDir());
    xdg = join(dir, 'xdg-state');
    port = await freePort();
    pid = startServer(port).pid!;
    await mkdir(join(dir, 'project'));
    await mkdir(join(dir, 'elsewhere'));
    await writeFile(join(dir, 'project', 'api.pid'), String(pid));
    await writeFile(join(dir, 'project', 'faultline.yaml'), `services:\n  api:\n    pidFile: api.pid\n    health: { http: "http://127.0.0.1:${port}/", timeout: 300ms }\n`);
    await writeFile(join(dir, 'project', 'pause.yaml'), 'title: pause api\nmethod:\n  - { fault: pause, target: api, duration: 60s }\n');
    await waitFor(() => httpOk(`http://127.0.0.1:${port}/`), { what: 'test server' });
  });
  after(async () => {
    killHard(pid);
    await cleanup();
  });

  test('from another directory it finds the open fault through the index, reverts it, and prints it once', async () => {
    const env = { XDG_STATE_HOME: xdg, FAULTLINE_STATE_DIR: '' }; // the default state dir: ./.faultline of where faultline runs
    const run = startCli(['run', 'pause.yaml', '-r', 'out', '--no-reaper'], { cwd: join(dir, 'project'), env });
    await waitFor(() => procState(pid) === 'T', { what: 'the pause', timeoutMs: 30_000 });
    run.child.kill('SIGKILL');
    await run.done;
    assert.equal(procState(pid), 'T', 'nothing reverted it yet');

    const res = await runCli(['recover'], { cwd: join(dir, 'elsewhere'), env });
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const stateDir = join(dir, 'project', '.faultline');
    assert.ok(res.stderr.includes(`1 open fault(s), 1 registered run(s) in ${stateDir} — reverting`), res.stderr);
    assert.equal((res.stdout + res.stderr).match(/reverted pause on api/g)?.length, 1, `printed once:\n${res.stdout}${res.stderr}`);
    assert.notEqual(procState(pid), 'T');
    assert.equal(existsSync(join(dir, 'elsewhere', '.faultline')), false, 'no state directory was made where there was none');

    const again = await runCli(['recover'], { cwd: join(dir, 'elsewhere'), env });
    assert.equal(again.code, 0);
    assert.match(again.stdout, /nothing to recover/);
    assert.doesNotMatch(again.stderr, /reverting/);
  });

  test('a ledger line it cannot read is named (file:line), exits 4, and a run warns about it before it starts', async () => {
    const stateDir = join(dir, 'unreadable-state');
    await mkdir(stateDir, { recursive: true });
    const ledger = join(stateDir, 'ledger.jsonl');
    await appendFile(ledger, '{"type":"intent","runId":"r1","faultId":"f1","at":"x","kind":"pause","driver":"process","service":"api","target":"api","revertInfo":{}}\n');
    await appendFile(ledger, '{"type":"reverted","runId":"r1","faultId":"f1","at":"x","by":"run"}\n');
    await appendFile(ledger, '\u0000\u0000garbage from a bad disk\n');
    const env = { XDG_STATE_HOME: xdg, FAULTLINE_STATE_DIR: stateDir };
    const res = await runCli(['recover'], { cwd: join(dir, 'project'), env });
    assert.equal(res.code, 4, res.stdout + res.stderr);
    assert.ok(res.stdout.includes(`UNREADABLE ${ledger}:3:`), res.stdout);
    assert.match(res.stdout, /whether it records a fault still in effect is unknown/);
    assert.doesNotMatch(res.stdout, /nothing to recover/);

    const json = await runCli(['recover', '--json'], { cwd: join(dir, 'project'), env });
    assert.equal(json.code, 4);
    assert.deepEqual(
      (JSON.parse(json.stdout) as { unreadable: { line: number }[] }).unreadable.map((u) => u.line),
      [3],
    );

    const dry = await runCli(['run', 'pause.yaml', '--dry-run'], { cwd: join(dir, 'project'), env });
    assert.equal(dry.code, 0, dry.stderr);
    assert.ok(dry.stderr.includes(`${ledger}:3 cannot be read, so whether it records a fault still in effect is unknown`), dry.stderr);
  });
});
