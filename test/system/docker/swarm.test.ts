// Swarm targets on a single-node swarm (`docker swarm init` on the test's engine when it is not in
// one; the swarm is left active afterwards, because `docker swarm leave --force` on dockerd 20.10
// drops the published-port proxies of running containers on user-defined networks): a swarm service's running tasks are resolved as containers; a
// crash of one task is replaced by Swarm with a new task — recorded as a restart of the service —
// and a `faultline run` measures it; a pause of the tasks is undone in place.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DockerDriver, dockerFaults, containerHealthCommand } from '../../../src/drivers/docker/index.js';
import type { DriverServiceEvent } from '../../../src/faults/driver.js';
import type { Journal } from '../../../src/journal/types.js';
import { runCli, tempDir } from '../../helpers/cli.js';
import { IMAGE, docker, dockerTry, repoRoot, resolveTarget, skipReason, testContext, uniqueName, waitFor } from './helpers.js';
import { skipUnlessRequired } from '../require.js';

const built = existsSync(join(repoRoot, 'dist', 'drivers', 'docker', 'index.js'));

function swarmState(): string {
  return dockerTry('info', '--format', '{{.Swarm.LocalNodeState}}').out;
}

let swarmSkip: string | undefined;
const base = skipReason() ?? (built ? undefined : 'needs the build (npm run build)');
if (!base && swarmState() !== 'active') {
  const init = dockerTry('swarm', 'init', '--advertise-addr', '127.0.0.1');
  if (init.code !== 0) swarmSkip = `docker swarm init failed on this engine: ${init.out.slice(0, 300)}`;
}
const skip = skipUnlessRequired(base ?? swarmSkip, import.meta.url);

describe('swarm services', { skip, concurrency: 1 }, () => {
  let service: string;
  const tasks = () => docker('ps', '--filter', `label=com.docker.swarm.service.name=${service}`, '--format', '{{.Names}}').split('\n').filter(Boolean).sort();
  const replicas = () => docker('service', 'ls', '--filter', `name=${service}`, '--format', '{{.Name}} {{.Replicas}}').split('\n').find((l) => l.startsWith(`${service} `))?.split(' ')[1];

  before(async () => {
    service = uniqueName('sw');
    docker('service', 'create', '-d', '--no-resolve-image', '--name', service, '--replicas', '2', '--restart-delay', '500ms', '--stop-grace-period', '1s', IMAGE);
    await waitFor('2/2 tasks running', () => replicas() === '2/2' && tasks().length === 2, 60_000, 200);
  });
  after(async () => {
    if (!service) return;
    dockerTry('service', 'rm', service);
    // Swarm removes the task containers after the service, asynchronously.
    await waitFor('the tasks to be gone', () => dockerTry('ps', '-aq', '--filter', `label=com.docker.swarm.service.name=${service}`).out === '', 20_000, 200).catch(() => undefined);
  });

  test('a crashed task is replaced by a new one: exit, then a spawn counted as a restart; the engine-side health check sees n/n again', async () => {
    const driver = new DockerDriver();
    const events: DriverServiceEvent[] = [];
    await driver.start({ services: { sw: { swarm: { service } } } }, { baseDir: repoRoot, stateDir: repoRoot, log: () => undefined, serviceEvent: (e) => events.push(e) });
    try {
      const target = await resolveTarget({ swarm: { service } });
      assert.equal(target.source, 'swarm');
      assert.deepEqual(target.containers.map((c) => c.name).sort(), tasks());
      const fault = dockerFaults['container-kill'];
      const p = fault.params.parse({ replicas: 1 });
      const { details } = await fault.inject(target, p, testContext());
      const [killed] = details!.containers as string[];
      const spawn = await waitFor('the replacement task', () => events.find((e) => e.type === 'spawn'), 30_000);
      assert.equal(spawn.restart, true);
      assert.notEqual(spawn.container, killed, 'Swarm starts a new task (a new container), it does not restart the old one');
      assert.ok(events.some((e) => e.type === 'exit' && e.container === killed));
      await waitFor('2/2 again', () => replicas() === '2/2', 30_000, 200);
      const argv = containerHealthCommand({ swarm: { service } })!;
      const health = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
      assert.equal(health.status, 0, health.stdout + health.stderr);
      assert.match(health.stdout, /2\/2 tasks running/);
    } finally {
      await driver.stop();
    }
  });

  test('the default health check sees a task down as soon as the engine does, not only once the manager\'s count catches up', async () => {
    const argv = containerHealthCommand({ swarm: { service } })!;
    const check = () => {
      const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
      return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim() };
    };
    await waitFor('2/2 and healthy', () => check().ok, 30_000, 200);
    // A paused task: the manager counts it as running whatever the time, the engine does not.
    const [first] = tasks();
    docker('pause', first!);
    try {
      // `docker pause` can return a moment before the engine's container list shows it paused.
      await waitFor('the engine to list the task paused', () => dockerTry('ps', '-q', '--filter', 'status=paused', '--filter', `name=${first!}`).out !== '', 15_000, 20);
      const paused = check();
      assert.equal(paused.ok, false, paused.out);
      assert.match(paused.out, /2\/2 tasks running by the manager's count, but 1 task\(s\) on this node have no running container/);
    } finally {
      docker('unpause', first!);
    }
    assert.equal(check().ok, true);
    // A crash: once the engine has the container exited, the check fails at once (the manager
    // learns of it from the node's agent some time later; 0.1 to 0.3 s here, more on a busy host).
    const [victim] = tasks();
    process.kill(Number(docker('inspect', '--format', '{{.State.Pid}}', victim!)), 'SIGKILL');
    await waitFor('the engine to list the task exited', () => dockerTry('ps', '-q', '--filter', 'status=exited', '--filter', `name=${victim!}`).out !== '', 15_000, 20);
    const crashed = check();
    assert.equal(crashed.ok, false, crashed.out);
    await waitFor('the replacement, healthy by the check', () => check().ok, 30_000, 200);
  });

  test('container-pause on every task, then unpaused in place (Swarm does not replace a paused task)', async () => {
    const before = tasks();
    const target = await resolveTarget({ swarm: { service } });
    const fault = dockerFaults['container-pause'];
    const p = fault.params.parse({});
    const info = fault.plan(target, p);
    assert.equal(before.length, 2, `two running tasks before the fault: ${before.join(', ')}`);
    try {
      await fault.inject(target, p, testContext());
      assert.deepEqual(before.map((t) => docker('inspect', '--format', '{{.State.Paused}}', t)), ['true', 'true']);
    } finally {
      await fault.revert(info, testContext());
    }
    assert.deepEqual(before.map((t) => docker('inspect', '--format', '{{.State.Paused}}', t)), ['false', 'false']);
    assert.deepEqual(tasks(), before);
  });

  test('faultline run: a task crash, Swarm\'s replacement measured (restart, time to restart, recovery)', async () => {
    const { path: dir, cleanup } = await tempDir('flt-swarm-');
    try {
      writeFileSync(join(dir, 'faultline.yaml'), `services:\n  web:\n    swarm: { service: ${service} }\n`);
      writeFileSync(join(dir, 'kill.yaml'), 'title: a task dies\nmethod:\n  - { fault: container-kill, target: web, replicas: "50%" }\n  - wait: 1s\nrecovery: { within: 30s }\n');
      const res = await runCli(['run', 'kill.yaml', '--report-dir', 'out'], { cwd: dir, env: { FAULTLINE_STATE_DIR: join(dir, '.state') }, timeoutMs: 90_000 });
      assert.equal(res.code, 0, res.stdout + res.stderr);
      const j = JSON.parse(readFileSync(join(dir, 'out', 'journal.json'), 'utf8')) as Journal;
      const web = j.recovery.find((r) => r.service === 'web')!;
      assert.equal(web.restarts, 1, `restarts in ${JSON.stringify({ recovery: web, serviceEvents: j.serviceEvents, faults: j.faults })}\n${res.stdout}`);
      assert.ok(web.timeToRestartMs! > 0, JSON.stringify(web));
      assert.ok(web.impacted && web.met === true, JSON.stringify(web));
      assert.equal((j.faults[0]!.details!.containers as string[]).length, 1, '50% of 2 is 1');
    } finally {
      await cleanup();
    }
  });
});
