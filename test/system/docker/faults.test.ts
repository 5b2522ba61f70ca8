// Every docker fault kind against a real engine: applied, observed in the container's state, and
// reverted — by the run (in this process), twice (idempotent), and from the ledger's plain JSON in a
// fresh process (what the reaper and `faultline recover` do). Restart policies: a crash (the main
// process killed through its host pid) fires `always` and `on-failure`; `docker kill` does not.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { dockerFaults } from '../../../src/drivers/docker/index.js';
import { UNLIMITED_MEMORY } from '../../../src/drivers/docker/faults/limit.js';
import type { RevertInfo } from '../../../src/faults/types.js';
import { cleanup, createNetwork, docker, dockerTry, execIn, httpGet, ipOf, resolveTarget, revertInFreshProcess, runContainer, skipReason, snapshot, snapshotNoAddress, state, testContext, waitFor, wgetIn } from './helpers.js';
import { skipUnlessRequired } from '../require.js';

const skip = skipUnlessRequired(skipReason(), import.meta.url);

async function inject<K extends keyof typeof dockerFaults>(kind: K, container: string, params: Record<string, unknown> = {}): Promise<{ info: RevertInfo; details: Record<string, unknown> | undefined }> {
  const fault = dockerFaults[kind];
  const target = await resolveTarget({ container });
  const p = fault.params.parse(params) as never;
  const info = fault.plan(target as never, p);
  const res = await fault.inject(target as never, p, testContext());
  return { info, details: res.details };
}

function cgroupFile(container: string, controller: string, file: string): string {
  const id = docker('inspect', '--format', '{{.Id}}', container);
  return readFileSync(`/sys/fs/cgroup/${controller}/docker/${id}/${file}`, 'utf8').trim();
}

describe('docker faults on a real engine', { skip, concurrency: 1 }, () => {
  after(cleanup);

  test('container-kill (crash, the default) fires restart policy always: the container runs again with a new pid', async () => {
    const c = runContainer('kill-always', ['--restart', 'always']);
    await waitFor('running', () => state(c).running);
    const before = state(c);
    const { details } = await inject('container-kill', c);
    assert.deepEqual(details?.pids, [before.pid]);
    const again = await waitFor('restarted by the policy', () => {
      const s = state(c);
      return s.running && s.pid !== before.pid && s.restartCount === before.restartCount + 1 ? s : undefined;
    });
    assert.equal(again.restartCount, 1);
  });

  test('container-kill (crash) fires restart policy on-failure (SIGKILL is a failure)', async () => {
    const c = runContainer('kill-onfail', ['--restart', 'on-failure']);
    await waitFor('running', () => state(c).running);
    const before = state(c);
    await inject('container-kill', c, { signal: 'KILL' });
    await waitFor('restarted by on-failure', () => state(c).restartCount === 1 && state(c).running && state(c).pid !== before.pid);
  });

  test('container-kill method engine (docker kill) counts as a manual stop: restart policy always does not fire', async () => {
    const c = runContainer('kill-engine', ['--restart', 'always']);
    await waitFor('running', () => state(c).running);
    await inject('container-kill', c, { method: 'engine' });
    await waitFor('exited', () => state(c).status === 'exited');
    await new Promise((r) => setTimeout(r, 2000)); // the policy would have acted by now
    const s = state(c);
    assert.equal(s.status, 'exited');
    assert.equal(s.restartCount, 0);
    assert.equal(s.exitCode, 137);
  });

  test('container-kill refuses a container that is not running, naming it', async () => {
    const c = runContainer('kill-stopped');
    docker('stop', '-t', '0', c);
    await assert.rejects(resolveTarget({ container: c }), (err: Error) => err.message.includes(c) && /not running/.test(err.message));
    await assert.rejects(resolveTarget({ container: 'flt-no-such-container' }), /no container "flt-no-such-container"/);
  });

  test('container-pause: paused (requests time out), reverted by unpause; a second revert and a fresh-process revert are no-ops', async () => {
    const c = runContainer('pause');
    await waitFor('healthy', () => state(c).health === 'healthy');
    const ip = ipOf(c);
    assert.equal(await httpGet(ip), 200);
    const clean = snapshot(c);
    const { info } = await inject('container-pause', c);
    assert.equal(state(c).paused, true);
    assert.notEqual(await httpGet(ip, 8080, 700), 200);
    await dockerFaults['container-pause'].revert(info, testContext());
    assert.equal(state(c).paused, false);
    assert.equal(await httpGet(ip), 200);
    await dockerFaults['container-pause'].revert(info, testContext());
    const fresh = revertInFreshProcess('container-pause', info);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal(snapshot(c), clean);
  });

  test('container-pause reverted from the ledger JSON alone in a fresh process (as after a crash)', async () => {
    const c = runContainer('pause-fresh');
    await waitFor('running', () => state(c).running);
    const { info } = await inject('container-pause', c);
    assert.equal(state(c).paused, true);
    const fresh = revertInFreshProcess('container-pause', info);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal(state(c).paused, false);
  });

  test('container-pause leaves alone a container someone else paused: its revert does not unpause it', async () => {
    const c = runContainer('pause-theirs');
    await waitFor('running', () => state(c).running);
    docker('pause', c);
    const { info } = await inject('container-pause', c);
    assert.deepEqual(info.containers, []);
    await dockerFaults['container-pause'].revert(info, testContext());
    assert.equal(state(c).paused, true);
  });

  test('container-stop: exited, restart policy does not bring it back; revert starts it; idempotent', async () => {
    const c = runContainer('stop', ['--restart', 'always']);
    await waitFor('running', () => state(c).running);
    const { info } = await inject('container-stop', c, { timeout: '1s' });
    assert.equal(state(c).running, false);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(state(c).running, false, 'a manual stop must not be undone by the restart policy');
    const fresh = revertInFreshProcess('container-stop', info);
    assert.equal(fresh.code, 0, fresh.stderr);
    await waitFor('running again', () => state(c).running);
    const pid = state(c).pid;
    await dockerFaults['container-stop'].revert(info, testContext());
    assert.equal(state(c).pid, pid, 'a second revert leaves the running container alone');
  });

  test('container-restart: a new start time and pid; nothing to undo', async () => {
    const c = runContainer('restart');
    await waitFor('running', () => state(c).running);
    const before = state(c);
    const { info } = await inject('container-restart', c, { timeout: '1s' });
    const s = state(c);
    assert.equal(s.running, true);
    assert.notEqual(s.startedAt, before.startedAt);
    assert.notEqual(s.pid, before.pid);
    await dockerFaults['container-restart'].revert(info, testContext());
  });

  test('container-remove: the container is gone', async () => {
    const c = runContainer('remove');
    await waitFor('running', () => state(c).running);
    await inject('container-remove', c);
    assert.notEqual(dockerTry('inspect', c).code, 0);
  });

  test('container-limit on an unlimited container: quota and memory applied in its cgroups, then unlimited again (fresh-process revert)', async () => {
    const c = runContainer('limit-free');
    await waitFor('running', () => state(c).running);
    const { info } = await inject('container-limit', c, { cpus: 0.5, memory: '32m' });
    assert.equal(cgroupFile(c, 'cpu', 'cpu.cfs_quota_us'), '50000');
    assert.equal(cgroupFile(c, 'memory', 'memory.limit_in_bytes'), String(32 * 1024 * 1024));
    const fresh = revertInFreshProcess('container-limit', info);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal(cgroupFile(c, 'cpu', 'cpu.cfs_quota_us'), '-1');
    assert.ok(Number(cgroupFile(c, 'memory', 'memory.limit_in_bytes')) >= UNLIMITED_MEMORY - 4096, 'memory unlimited again');
    await dockerFaults['container-limit'].revert(info, testContext());
    docker('restart', '-t', '0', c); // the Engine re-applies HostConfig on a restart: it must not bring the fault back
    assert.equal(cgroupFile(c, 'cpu', 'cpu.cfs_quota_us'), '-1');
    assert.ok(Number(cgroupFile(c, 'memory', 'memory.limit_in_bytes')) >= UNLIMITED_MEMORY - 4096);
  });

  test('container-limit on a container with --cpus and --memory: the exact previous values come back', async () => {
    const c = runContainer('limit-set', ['--cpus', '1.5', '--memory', '128m']);
    await waitFor('running', () => state(c).running);
    const clean = snapshot(c);
    const { info } = await inject('container-limit', c, { cpus: 0.25, memory: '24m' });
    assert.match(snapshot(c), /cpu=250000000\/0\/0 mem=25165824\/25165824/);
    await dockerFaults['container-limit'].revert(info, testContext());
    assert.equal(snapshot(c), clean);
    assert.equal(cgroupFile(c, 'memory', 'memory.limit_in_bytes'), String(128 * 1024 * 1024));
  });

  test('container-limit below what the container uses: the inject fails with the engine\'s reason and the revert leaves the limits as they were', async () => {
    const c = runContainer('limit-low', ['--memory', '64m'], undefined, []);
    await waitFor('running', () => state(c).running);
    // Allocate ~24 MB in the container (a shell variable), then ask for a limit of 8m.
    execIn(c, 'sh', '-c', 'head -c 20000000 /dev/zero | tr "\\0" a > /tmp/x; x=$(cat /tmp/x); sleep 30 &');
    const clean = snapshot(c);
    const fault = dockerFaults['container-limit'];
    const target = await resolveTarget({ container: c });
    const p = fault.params.parse({ memory: '8m' });
    const info = fault.plan(target, p);
    try {
      await fault.inject(target, p, testContext());
    } catch (err) {
      assert.match((err as Error).message, new RegExp(`docker update of ${c} failed`));
    }
    await fault.revert(info, testContext());
    assert.equal(snapshot(c), clean);
  });

  test('container-disconnect: off its network (peers cannot reach it by name), then back with its alias; fresh-process revert; idempotent', async () => {
    const net = createNetwork('net');
    const c = runContainer('disc', ['--network', net, '--network-alias', 'web']);
    const peer = runContainer('peer', ['--network', net], undefined);
    await waitFor('running', () => state(c).running && state(peer).running);
    await waitFor('peer reaches web', () => wgetIn(peer, 'http://web:8080/') === 'ok');
    const clean = snapshotNoAddress(c);
    const { info, details } = await inject('container-disconnect', c);
    assert.deepEqual(details?.disconnected, [`${c} from ${net}`]);
    assert.equal(wgetIn(peer, 'http://web:8080/', 1), undefined);
    const fresh = revertInFreshProcess('container-disconnect', info);
    assert.equal(fresh.code, 0, fresh.stderr);
    await dockerFaults['container-disconnect'].revert(info, testContext());
    assert.equal(wgetIn(peer, 'http://web:8080/'), 'ok');
    // Same networks and aliases; on a network without a configured subnet the engine may hand out another address.
    assert.equal(snapshotNoAddress(c), clean);
  });

  test('container-disconnect on a network with a configured subnet and a static address: the same address comes back', async () => {
    const net = createNetwork('subnet', ['--subnet', `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}.0/24`]);
    const subnet = docker('network', 'inspect', '--format', '{{(index .IPAM.Config 0).Subnet}}', net);
    const ip = subnet.replace(/0\/24$/, '77');
    const c = runContainer('static', ['--network', net, '--ip', ip]);
    await waitFor('running', () => state(c).running);
    const clean = snapshot(c);
    const { info } = await inject('container-disconnect', c, { networks: [net] });
    assert.doesNotMatch(snapshot(c), new RegExp(net));
    await dockerFaults['container-disconnect'].revert(info, testContext());
    assert.equal(snapshot(c), clean);
    assert.equal(ipOf(c, net), ip);
  });

  test('container-disconnect names a network the container is not on', async () => {
    const c = runContainer('disc-bad');
    await waitFor('running', () => state(c).running);
    const target = await resolveTarget({ container: c });
    const p = dockerFaults['container-disconnect'].params.parse({ networks: ['flt-no-such-net'] });
    assert.throws(() => dockerFaults['container-disconnect'].plan(target, p), /is not on network flt-no-such-net \(it is on: bridge\)/);
  });

  test('reverts of faults on a container that is gone are no-ops', async () => {
    const c = runContainer('gone');
    await waitFor('running', () => state(c).running);
    const pause = await inject('container-pause', c);
    const limit = await inject('container-limit', c, { memory: '64m' });
    docker('rm', '-f', c);
    await dockerFaults['container-pause'].revert(pause.info, testContext());
    await dockerFaults['container-limit'].revert(limit.info, testContext());
  });
});
