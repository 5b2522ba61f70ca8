// The processes a run starts are in the ledger: if faultline is killed with SIGKILL, the reaper
// stops them (they would otherwise run on unsupervised, their in-process proxies gone); with
// --no-reaper, `faultline recover` does. A run that ends normally leaves nothing open.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ledgerPath, readLedger } from '../../src/safety/ledger.js';
import { openFaults } from '../../src/safety/open-faults.js';
import { freePort, repoRoot, runCli, startCli, tempDir, waitFor } from '../helpers/cli.js';
import { httpOk } from '../helpers/processes.js';
import { STARTUP_MS } from '../helpers/wait.js';

let dir: string;
let cleanup: () => Promise<void>;
const ports: number[] = [];
const service = join(repoRoot, 'test', 'fixtures', 'service.mjs');

before(async () => {
  ({ path: dir, cleanup } = await tempDir());
  for (let i = 0; i < 2; i++) ports.push(await freePort());
  const svc = (port: number) =>
    `    process: { command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(service)}], env: { PORT: "${port}" }, stopTimeout: 1s }\n    health: { http: "http://127.0.0.1:${port}/", timeout: 200ms }\n`;
  await writeFile(join(dir, 'faultline.yaml'), `services:\n  a:\n${svc(ports[0]!)}  b:\n${svc(ports[1]!)}    dependsOn: [a]\n`);
  await writeFile(join(dir, 'hold.yaml'), 'title: hold\nmethod:\n  - { wait: 60s }\n');
  await writeFile(join(dir, 'short.yaml'), 'title: short\nmethod:\n  - { wait: 200ms }\n');
});
after(async () => {
  // Whatever a failed test left running.
  await runCli(['recover', '--force'], { cwd: dir, env: { FAULTLINE_STATE_DIR: join(dir, '.state-reaper') } }).catch(() => undefined);
  await runCli(['recover', '--force'], { cwd: dir, env: { FAULTLINE_STATE_DIR: join(dir, '.state-manual') } }).catch(() => undefined);
  await cleanup();
});

const allUp = async () => (await Promise.all(ports.map((p) => httpOk(`http://127.0.0.1:${p}/`)))).every(Boolean);
const allDown = async () => (await Promise.all(ports.map((p) => httpOk(`http://127.0.0.1:${p}/`)))).every((ok) => !ok);
const openIn = async (stateDir: string) => openFaults(await readLedger(ledgerPath(stateDir)));

test('a run that ends normally stops its services and leaves nothing open', async () => {
  const env = { FAULTLINE_STATE_DIR: join(dir, '.state-normal') };
  const res = await runCli(['run', 'short.yaml', '-r', 'out-normal'], { cwd: dir, env });
  assert.equal(res.code, 0, res.stdout + res.stderr);
  assert.equal(await allDown(), true);
  assert.deepEqual(await openIn(env.FAULTLINE_STATE_DIR), []);
});

test('SIGKILL of the run: the reaper stops the services it started within seconds', async () => {
  const env = { FAULTLINE_STATE_DIR: join(dir, '.state-reaper') };
  const run = startCli(['run', 'hold.yaml', '-r', 'out-reaper'], { cwd: dir, env });
  await waitFor(allUp, { what: 'both services to start', timeoutMs: STARTUP_MS });
  const open = await openIn(env.FAULTLINE_STATE_DIR);
  assert.deepEqual(open.map((f) => [f.kind, f.service]).sort(), [['started-service', 'a'], ['started-service', 'b']]);
  run.child.kill('SIGKILL');
  await run.done;
  await waitFor(allDown, { what: 'both services to be stopped by the reaper', timeoutMs: 10_000 });
  await waitFor(async () => (await openIn(env.FAULTLINE_STATE_DIR)).length === 0, { what: 'the ledger to show nothing open', timeoutMs: 10_000 });
  const recover = await runCli(['recover'], { cwd: dir, env });
  assert.match(recover.stdout, /nothing to recover/);
});

test('SIGKILL with --no-reaper: the services run on until `faultline recover` stops them', async () => {
  const env = { FAULTLINE_STATE_DIR: join(dir, '.state-manual') };
  const run = startCli(['run', 'hold.yaml', '-r', 'out-manual', '--no-reaper'], { cwd: dir, env });
  await waitFor(allUp, { what: 'both services to start', timeoutMs: STARTUP_MS });
  run.child.kill('SIGKILL');
  await run.done;
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await allUp(), true, 'nothing stopped them without the reaper');
  const recover = await runCli(['recover'], { cwd: dir, env });
  assert.equal(recover.code, 0, recover.stdout + recover.stderr);
  assert.match(recover.stdout, /stopped a \(pid \d+\), a process the run started/);
  assert.equal(await allDown(), true);
  const again = await runCli(['recover'], { cwd: dir, env });
  assert.match(again.stdout, /nothing to recover/);
});
