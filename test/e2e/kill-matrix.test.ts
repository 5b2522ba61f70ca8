// SIGKILL of faultline at random points of runs that hold faults: everything must be restored
// within a few seconds with nobody typing `faultline recover`, and recover must then find nothing.
// Process faults (stopped processes) here; proxy faults in kill-matrix-proxy.test.ts, Linux faults in
// test/system/linux/kill-matrix.test.ts, Docker faults in test/system/docker/.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ledgerPath, readLedger } from '../../src/safety/ledger.js';
import { openFaults } from '../../src/safety/open-faults.js';
import { freePort, runCli, startCli, tempDir, waitFor } from '../helpers/cli.js';
import { httpOk, killHard, procState, startServer } from '../helpers/processes.js';
import { testRandom } from '../helpers/seed.js';
import { STARTUP_MS } from '../helpers/wait.js';

let dir: string;
let cleanup: () => Promise<void>;
const pids: number[] = [];
const ports: number[] = [];

before(async () => {
  ({ path: dir, cleanup } = await tempDir());
  for (const name of ['a', 'b']) {
    const port = await freePort();
    const server = startServer(port);
    pids.push(server.pid!);
    ports.push(port);
    await writeFile(join(dir, `${name}.pid`), String(server.pid));
    await waitFor(() => httpOk(`http://127.0.0.1:${port}/`), { what: `server ${name}`, timeoutMs: STARTUP_MS });
  }
  await writeFile(
    join(dir, 'faultline.yaml'),
    `services:\n  a:\n    pidFile: a.pid\n    health: { http: "http://127.0.0.1:${ports[0]}/", timeout: 200ms }\n  b:\n    pidFile: b.pid\n    health: { http: "http://127.0.0.1:${ports[1]}/", timeout: 200ms }\n`,
  );
  await writeFile(
    join(dir, 'chaos.yaml'),
    `title: hold faults
method:
  - { fault: pause, target: a, duration: 700ms }
  - parallel:
      - { fault: pause, target: a, duration: 1500ms }
      - { fault: pause, target: b, duration: 1500ms }
  - { fault: pause, target: [a, b], duration: 2s }
`,
  );
});
after(async () => {
  pids.forEach(killHard);
  await cleanup();
});

// Seeded: the seed is in each test's name, so a failing kill point can be replayed.
const random = testRandom();
const delays = Array.from({ length: 4 }, () => random.int(300, 3800));
// How long the reaper may take to restore everything: a promise of seconds, generous for a busy machine.
const RESTORED_WITHIN_MS = 20_000;

for (const [i, delay] of delays.entries()) {
  test(`SIGKILL ${delay}ms into a run: every process is running again within seconds, recover finds nothing (round ${i + 1}, ${random.label})`, async () => {
    const env = { FAULTLINE_STATE_DIR: join(dir, `.state-${i}`) };
    const run = startCli(['run', 'chaos.yaml', '-r', `out-${i}`], { cwd: dir, env });
    await new Promise((r) => setTimeout(r, delay));
    const stateAtKill = pids.map(procState);
    run.child.kill('SIGKILL');
    await run.done;
    await waitFor(() => pids.every((p) => procState(p) !== 'T'), { what: `no stopped process (at kill: ${stateAtKill.join(',')})`, timeoutMs: RESTORED_WITHIN_MS });
    for (const port of ports) assert.equal(await httpOk(`http://127.0.0.1:${port}/`), true);
    // The reaper records each revert in the ledger just after making it.
    await waitFor(async () => openFaults(await readLedger(ledgerPath(env.FAULTLINE_STATE_DIR))).length === 0, { what: 'the ledger to show nothing open', timeoutMs: RESTORED_WITHIN_MS });
    const recover = await runCli(['recover'], { cwd: dir, env });
    assert.equal(recover.code, 0, recover.stderr);
    assert.match(recover.stdout, /nothing to recover/, `killed ${delay}ms in; states at kill ${stateAtKill.join(',')}`);
  });
}
