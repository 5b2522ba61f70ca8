// SIGKILL of faultline at random points of runs that hold proxy faults on a standalone
// `faultline proxy` server (FAULTLINE_PROXY_API): the reaper removes the toxics from the ledger
// within a few seconds — long before their TTL, which is set to a minute here so only the reaper
// can be what removed them — traffic passes again, and `faultline recover` finds nothing.
// (In-process proxies end with the faultline process that runs them: nothing to revert there.)
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ledgerPath, readLedger } from '../../src/safety/ledger.js';
import { openFaults } from '../../src/safety/open-faults.js';
import { freePort, runCli, startCli, tempDir, waitFor } from '../helpers/cli.js';
import { httpOk, killHard, startServer } from '../helpers/processes.js';
import { testRandom } from '../helpers/seed.js';
import { STARTUP_MS } from '../helpers/wait.js';

let dir: string;
let cleanup: () => Promise<void>;
let backend: ChildProcess;
let proxyServer: ReturnType<typeof startCli>;
let api: string;
let linkPort: number;

interface ProxyJson {
  name: string;
  toxics: { name: string }[];
}

async function toxicsOnServer(): Promise<string[]> {
  const res = await fetch(`${api}/proxies`);
  const proxies = (await res.json()) as Record<string, ProxyJson>;
  return Object.values(proxies).flatMap((p) => p.toxics.map((t) => `${p.name}/${t.name}`));
}

/** A request through the proxied link answers quickly (no latency, no black hole left): under half the
 *  smallest delay the run injects (800ms), so a leftover toxic always fails it. */
async function linkAnswersFast(): Promise<boolean> {
  const started = performance.now();
  const ok = await httpOk(`http://127.0.0.1:${linkPort}/`);
  return ok && performance.now() - started < 400;
}

before(async () => {
  ({ path: dir, cleanup } = await tempDir());
  const backendPort = await freePort();
  backend = startServer(backendPort);
  await waitFor(() => httpOk(`http://127.0.0.1:${backendPort}/`), { what: 'the backend', timeoutMs: STARTUP_MS });
  const apiPort = await freePort();
  api = `http://127.0.0.1:${apiPort}`;
  proxyServer = startCli(['proxy', '--listen', `127.0.0.1:${apiPort}`, '--quiet'], { cwd: dir });
  await waitFor(async () => (await fetch(`${api}/version`).catch(() => undefined))?.ok, { what: 'faultline proxy', timeoutMs: STARTUP_MS });
  linkPort = await freePort();
  // The link exists before any run (as it would on a shared proxy server): a run killed before it
  // creates its proxies must not look like one that broke the link. Runs find it unchanged.
  const created = await fetch(`${api}/proxies`, { method: 'POST', body: JSON.stringify({ name: 'app.db', listen: `127.0.0.1:${linkPort}`, upstream: `127.0.0.1:${backendPort}` }) });
  assert.equal(created.status, 201, await created.text());
  await writeFile(
    join(dir, 'faultline.yaml'),
    `services:
  app:
    endpoint: "127.0.0.1:${backendPort}"
    proxies: [{ name: db, listen: "127.0.0.1:${linkPort}", upstream: "127.0.0.1:${backendPort}" }]
`,
  );
  await writeFile(
    join(dir, 'chaos.yaml'),
    `title: hold proxy faults
method:
  - { fault: latency, target: app.db, latency: 800ms, duration: 1200ms }
  - parallel:
      - { fault: partition, target: app.db, duration: 1500ms }
      - { fault: http-delay, target: app.db, delay: 2s, duration: 1500ms }
  - { fault: http-error, target: app.db, status: 503, duration: 3s }
`,
  );
});
after(async () => {
  killHard(backend?.pid);
  proxyServer?.child.kill('SIGKILL');
  await cleanup();
});

// One kill early (before the run has created anything), two at random while faults are held.
// Seeded: the seed is in each test's name, so a failing kill point can be replayed.
const random = testRandom();
const delays = [150, ...Array.from({ length: 2 }, () => random.int(300, 4800))];
// How long the reaper may take to clean up: a promise of seconds, generous for a busy machine.
const RESTORED_WITHIN_MS = 20_000;

for (const [i, delay] of delays.entries()) {
  test(`SIGKILL ${delay}ms into a run holding proxy faults: no toxic is left within seconds, recover finds nothing (round ${i + 1}, ${random.label})`, async () => {
    const env = { FAULTLINE_STATE_DIR: join(dir, `.state-${i}`), FAULTLINE_PROXY_API: api, FAULTLINE_PROXY_TTL: '60000' };
    const run = startCli(['run', 'chaos.yaml', '-r', `out-${i}`], { cwd: dir, env });
    await new Promise((r) => setTimeout(r, delay));
    const atKill = await toxicsOnServer();
    run.child.kill('SIGKILL');
    await run.done;
    await waitFor(async () => (await toxicsOnServer()).length === 0, { what: `no toxic on the proxy server (at kill: ${atKill.join(', ') || 'none'})`, timeoutMs: RESTORED_WITHIN_MS });
    await waitFor(linkAnswersFast, { what: 'the link to answer in under 400ms', timeoutMs: RESTORED_WITHIN_MS });
    await waitFor(async () => openFaults(await readLedger(ledgerPath(env.FAULTLINE_STATE_DIR))).length === 0, { what: 'the ledger to show nothing open', timeoutMs: RESTORED_WITHIN_MS });
    const recover = await runCli(['recover'], { cwd: dir, env });
    assert.equal(recover.code, 0, recover.stderr);
    assert.match(recover.stdout, /nothing to recover/, `killed ${delay}ms in; toxics at kill: ${atKill.join(', ')}`);
  });
}

test('the same run, not killed, ends with no toxic on the server (the control case)', async () => {
  const env = { FAULTLINE_STATE_DIR: join(dir, '.state-control'), FAULTLINE_PROXY_API: api, FAULTLINE_PROXY_TTL: '60000' };
  const res = await runCli(['run', 'chaos.yaml', '-r', 'out-control'], { cwd: dir, env, timeoutMs: 60_000 });
  assert.equal(res.code, 0, res.stdout + res.stderr);
  assert.deepEqual(await toxicsOnServer(), []);
  // One slow answer on a busy machine is not a toxic left behind: retry before failing.
  await waitFor(linkAnswersFast, { what: 'the link to answer in under 400ms', timeoutMs: RESTORED_WITHIN_MS });
});
