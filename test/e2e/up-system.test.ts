// `faultline up` serves one system file. A run of another system with the same service names
// must not adopt it (its own services would never start and it would inject into up's); a run of
// the same file does; a run of that file after it changed says why it will not.
import assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Journal } from '../../src/journal/types.js';
import { freePort, repoRoot, runCli, startCli, tempDir, waitFor } from '../helpers/cli.js';
import { pidOn } from '../helpers/processes.js';

const service = join(repoRoot, 'test/fixtures/service.mjs');
let dir: string;
let cleanup: () => Promise<void>;
let up: ReturnType<typeof startCli>;
const ports = { a: 0, b: 0 };
const env = () => ({ FAULTLINE_STATE_DIR: join(dir, '.state') });


const system = (port: number) => `probeInterval: 100ms
services:
  api:
    process:
      command: ["${process.execPath}", "${service}"]
      env: { PORT: "${port}" }
      restart: { policy: always, delay: 100ms }
      stopTimeout: 1s
    health: { http: "http://127.0.0.1:${port}/", timeout: 500ms }
`;

before(async () => {
  ({ path: dir, cleanup } = await tempDir());
  ports.a = await freePort();
  ports.b = await freePort();
  await writeFile(join(dir, 'a.yaml'), system(ports.a));
  await writeFile(join(dir, 'b.yaml'), system(ports.b));
  await writeFile(join(dir, 'kill.yaml'), 'title: kill api\nmethod:\n  - { fault: kill, target: api }\nrecovery: { within: 10s, sustained: 2 }\n');
  up = startCli(['up', '--system', 'a.yaml'], { cwd: dir, env: env() });
  await waitFor(() => pidOn(ports.a), { what: 'faultline up to start api of a.yaml', timeoutMs: 20_000 });
});
after(async () => {
  up.child.kill('SIGTERM');
  await up.done;
  await cleanup();
});

test('up.json records the system file it serves and its content hash', async () => {
  const state = JSON.parse(await readFile(join(dir, '.state', 'up.json'), 'utf8')) as { system?: { file: string; sha256: string } };
  assert.equal(state.system?.file, join(dir, 'a.yaml'));
  assert.match(state.system?.sha256 ?? '', /^[0-9a-f]{64}$/);
});

test("a run of another system with the same service name starts its own api and leaves up's alone", async () => {
  const upPid = await pidOn(ports.a);
  const res = await runCli(['run', 'kill.yaml', '--system', 'b.yaml', '-r', 'out-b'], { cwd: dir, env: env() });
  assert.equal(res.code, 0, res.stdout + res.stderr);
  assert.match(res.stdout, /not using faultline up's api: faultline up \(pid \d+\) serves .*a\.yaml, not .*b\.yaml/);
  const journal = JSON.parse(await readFile(join(dir, 'out-b', 'journal.json'), 'utf8')) as Journal;
  const killed = journal.faults[0]!.details?.pid;
  assert.notEqual(killed, upPid, "the run killed its own api, not up's");
  assert.equal(await pidOn(ports.a), upPid, "up's api was not touched");
  assert.equal(await pidOn(ports.b), undefined, 'the run stopped the api it started');
});

test('a run of the system up serves adopts it', async () => {
  const upPid = await pidOn(ports.a);
  const res = await runCli(['run', 'kill.yaml', '--system', 'a.yaml', '-r', 'out-a'], { cwd: dir, env: env() });
  assert.equal(res.code, 0, res.stdout + res.stderr);
  assert.match(res.stdout, /api: supervised by faultline up/);
  const journal = JSON.parse(await readFile(join(dir, 'out-a', 'journal.json'), 'utf8')) as Journal;
  assert.equal(journal.faults[0]!.details?.pid, upPid, "the kill hit up's api");
  await waitFor(async () => (await pidOn(ports.a)) !== undefined, { what: "up to restart its api" });
});

test('a run of the same file after it changed does not adopt up, and says why', async () => {
  await appendFile(join(dir, 'a.yaml'), '# edited after faultline up started\n');
  const res = await runCli(['run', 'kill.yaml', '--system', 'a.yaml', '-r', 'out-changed'], { cwd: dir, env: env() });
  assert.equal(res.code, 3, res.stdout + res.stderr);
  const journal = JSON.parse(await readFile(join(dir, 'out-changed', 'journal.json'), 'utf8')) as Journal;
  assert.equal(journal.faults.length, 0, 'nothing injected');
  assert.match(journal.reasons[0]!, /api is already running .*faultline up, which this run does not use: .*the file has changed since: restart it/);
});
