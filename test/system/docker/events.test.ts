// The Engine's event stream as the docker driver records it: a crash and the restart policy's
// restart (exit 137, spawn with restart: true and the new pid, ready when the HEALTHCHECK passes),
// an OOM kill (exit with oom: true), and a manual `docker kill` whose later start is no restart.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { DockerDriver, dockerFaults, type DockerServiceEvent } from '../../../src/drivers/docker/index.js';
import type { DriverServiceEvent } from '../../../src/faults/driver.js';
import { BUSYBOX, cleanup, docker, repoRoot, resolveTarget, runContainer, skipReason, state, testContext, waitFor } from './helpers.js';
import { skipUnlessRequired } from '../require.js';

const skip = skipUnlessRequired(skipReason(), import.meta.url);

async function watching(services: Record<string, Record<string, unknown>>): Promise<{ events: DriverServiceEvent[]; logs: string[]; stop: () => Promise<void> }> {
  const driver = new DockerDriver();
  const events: DriverServiceEvent[] = [];
  const logs: string[] = [];
  await driver.start({ services }, { baseDir: repoRoot, stateDir: repoRoot, log: (m) => logs.push(m), serviceEvent: (e) => events.push(e) });
  return { events, logs, stop: () => driver.stop() };
}

describe('docker engine events', { skip, concurrency: 1 }, () => {
  after(cleanup);

  test('a crash: exit 137, then a restart by the policy with the new pid, then ready when healthy — on the engine\'s clock', async () => {
    const c = runContainer('ev-crash', ['--restart', 'always']);
    await waitFor('healthy', () => state(c).health === 'healthy');
    const w = await watching({ web: { container: c } });
    try {
      const t0 = performance.now();
      const target = await resolveTarget({ container: c });
      const p = dockerFaults['container-kill'].params.parse({});
      await dockerFaults['container-kill'].inject(target, p, testContext());
      const ready = await waitFor('ready after the restart', () => w.events.find((e) => e.type === 'ready'));
      const exit = w.events.find((e) => e.type === 'exit')!;
      const spawn = w.events.find((e) => e.type === 'spawn')!;
      assert.equal(exit.code, 137);
      assert.equal(exit.service, 'web');
      assert.equal(exit.container, c);
      assert.equal(spawn.restart, true);
      assert.equal(spawn.pid, state(c).pid);
      assert.ok(exit.mono! >= t0 - 50 && exit.mono! <= spawn.mono! && spawn.mono! <= ready.mono!, `times in order: ${JSON.stringify(w.events)}`);
      assert.ok(ready.wallTime - exit.wallTime < 15_000);
    } finally {
      await w.stop();
    }
  });

  test('an OOM kill is recorded as an exit with oom: true, and logged', async () => {
    // 16 MiB and no swap; the shell then builds a 64 MB string.
    const c = runContainer('ev-oom', ['--memory', '16m', '--memory-swap', '16m'], BUSYBOX, ['sh', '-c', 'sleep 1; x=$(head -c 64000000 /dev/zero | tr "\\0" a); sleep 100']);
    const w = await watching({ hog: { container: c } });
    try {
      const exit = await waitFor('the OOM exit', () => w.events.find((e) => e.type === 'exit'), 20_000);
      assert.equal(exit.oom, true, JSON.stringify(w.events));
      assert.equal(state(c).oom, true);
      assert.ok(w.logs.some((l) => l.startsWith('OOM: the kernel killed a process of container')), w.logs.join('\n'));
    } finally {
      await w.stop();
    }
  });

  test('docker kill (manual) then a start by hand: the start is not counted as a restart', async () => {
    const c = runContainer('ev-manual', ['--restart', 'always']);
    await waitFor('running', () => state(c).running);
    const w = await watching({ web: { container: c } });
    try {
      docker('kill', c);
      await waitFor('exit', () => w.events.find((e) => e.type === 'exit'));
      docker('start', c);
      const spawn = await waitFor('spawn', () => w.events.find((e): e is DockerServiceEvent & DriverServiceEvent => e.type === 'spawn'));
      assert.equal(spawn.restart, undefined);
    } finally {
      await w.stop();
    }
  });
});
