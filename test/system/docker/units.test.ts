// The docker driver's pure parts, no engine needed: replica selection, the limit updates and their
// undo, which service an engine event belongs to and what it records, validation messages (file,
// path, what was expected), and the engine-side health check a docker service gets by default.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { faultRegistry } from '../../../src/drivers/index.js';
import { EngineEventWatcher, defaultContainerHealth, dockerFaults, selectReplicas, serviceOf, type DockerServiceEvent } from '../../../src/drivers/docker/index.js';
import { applyUpdate, restoreUpdates, UNLIMITED_MEMORY } from '../../../src/drivers/docker/faults/limit.js';
import { dockerOptions, isLocalEngine } from '../../../src/drivers/docker/engine.js';
import { loadExperiment } from '../../../src/experiment/loader/load-experiment.js';
import { systemSchema } from '../../../src/experiment/schema/system.js';

describe('replicas', () => {
  test('all by default, a count, or a percentage rounded up (at least one)', () => {
    const five = ['a', 'b', 'c', 'd', 'e'];
    assert.deepEqual(selectReplicas(five, undefined), five);
    assert.deepEqual(selectReplicas(five, 2), ['a', 'b']);
    assert.deepEqual(selectReplicas(five, 9), five);
    assert.deepEqual(selectReplicas(five, '50%'), ['a', 'b', 'c']);
    assert.deepEqual(selectReplicas(five, '1%'), ['a']);
    assert.deepEqual(selectReplicas(five, '100%'), five);
  });

  test('the parameter refuses 0, 0% and over 100%, saying what it expects', () => {
    const p = dockerFaults['container-kill'].params;
    assert.equal(p.safeParse({ replicas: 1 }).success, true);
    assert.equal(p.safeParse({ replicas: '33.3%' }).success, true);
    for (const bad of [0, -1, '0%', '150%', 'half', 1.5]) assert.equal(p.safeParse({ replicas: bad }).success, false, String(bad));
    assert.match(JSON.stringify(p.safeParse({ replicas: '150%' }).error?.issues), /expected a percentage such as \\"50%\\"/);
  });
});

describe('container-limit updates', () => {
  const none = { NanoCpus: 0, CpuQuota: 0, CpuPeriod: 0, Memory: 0, MemorySwap: 0 };
  test('an unlimited container is limited through the CPU quota, and gets "unlimited" back (the Engine cannot unset a limit)', () => {
    assert.deepEqual(applyUpdate(none, 0.5, 64 * 2 ** 20), { CpuPeriod: 100_000, CpuQuota: 50_000, Memory: 64 * 2 ** 20, MemorySwap: 64 * 2 ** 20 });
    assert.deepEqual(restoreUpdates(none, true, true), [{ CpuQuota: -1, Memory: UNLIMITED_MEMORY, MemorySwap: UNLIMITED_MEMORY }]);
  });
  test('a container started with --cpus is limited and restored through NanoCpus; only what the fault changed is restored', () => {
    const set = { NanoCpus: 1.5e9, CpuQuota: 0, CpuPeriod: 0, Memory: 128 * 2 ** 20, MemorySwap: 256 * 2 ** 20 };
    assert.deepEqual(applyUpdate(set, 0.25, undefined), { NanoCpus: 250_000_000 });
    assert.deepEqual(restoreUpdates(set, true, false), [{ NanoCpus: 1.5e9 }]);
    assert.deepEqual(restoreUpdates(set, false, true), [{ Memory: 128 * 2 ** 20, MemorySwap: 256 * 2 ** 20 }]);
  });
  test('unlimited swap comes back in two steps (runc writes the memory limit first)', () => {
    const swapless = { ...none, Memory: 128 * 2 ** 20, MemorySwap: -1 };
    assert.deepEqual(restoreUpdates(swapless, false, true), [
      { Memory: 128 * 2 ** 20, MemorySwap: 128 * 2 ** 20 },
      { Memory: 128 * 2 ** 20, MemorySwap: -1 },
    ]);
  });
  test('cpus and memory are checked: one of them, and at least the Engine\'s 6m', () => {
    const p = dockerFaults['container-limit'].params;
    assert.match(JSON.stringify(p.safeParse({}).error?.issues), /expected cpus and\/or memory/);
    assert.match(JSON.stringify(p.safeParse({ memory: '1m' }).error?.issues), /at least 6m/);
    assert.equal(p.safeParse({ cpus: 0.5 }).success, true);
  });
});

describe('engine addresses', () => {
  test('unix sockets and tcp hosts; only local ones allow crash kills and linux faults', () => {
    assert.deepEqual(dockerOptions(null, null), { socketPath: '/var/run/docker.sock' });
    assert.deepEqual(dockerOptions('unix:///run/user/1000/docker.sock', null), { socketPath: '/run/user/1000/docker.sock' });
    assert.deepEqual(dockerOptions('tcp://10.0.0.5:2376', null), { host: '10.0.0.5', port: 2376, protocol: 'http' });
    assert.equal(isLocalEngine(null), true);
    assert.equal(isLocalEngine('tcp://127.0.0.1:2375'), true);
    assert.equal(isLocalEngine('tcp://10.0.0.5:2375'), false);
  });
});

describe('engine events', () => {
  const services = [
    { name: 'web', config: { container: 'shop-web' } },
    { name: 'api', config: { compose: { service: 'api' } } },
    { name: 'db', config: { compose: { service: 'db', project: 'other' } } },
    { name: 'worker', config: { swarm: { service: 'jobs' } } },
  ];
  const compose = (service: string, project: string) => ({ 'com.docker.compose.project': project, 'com.docker.compose.service': service, 'com.docker.compose.oneoff': 'False' });

  test('an event belongs to the service whose container, compose labels or swarm label it carries', () => {
    assert.equal(serviceOf(services, '/srv/My Shop', 'abc', { name: 'shop-web' }), 'web');
    assert.equal(serviceOf(services, '/srv/My Shop', 'abc', compose('api', 'myshop')), 'api', 'the project defaults to the directory name as docker-compose makes it');
    assert.equal(serviceOf(services, '/srv/My Shop', 'abc', compose('api', 'else')), undefined);
    assert.equal(serviceOf(services, '/srv/x', 'abc', compose('db', 'other')), 'db');
    assert.equal(serviceOf(services, '/srv/x', 'abc', { 'com.docker.swarm.service.name': 'jobs' }), 'worker');
    assert.equal(serviceOf(services, '/srv/x', 'abc', { ...compose('api', 'x'), 'com.docker.compose.oneoff': 'True' }), undefined, 'one-off containers (docker-compose run) are not the service');
  });

  test('crash → exit and a restart; docker kill → exit, and the next start is no restart; OOM; healthy → ready', async () => {
    const out: DockerServiceEvent[] = [];
    const logs: string[] = [];
    // An engine address nobody answers on: the pid lookup after a start fails, and the event goes out without it.
    const w = new EngineEventWatcher('unix:///nonexistent/docker.sock', services, '/srv/x', (e) => out.push(e), (m) => logs.push(m), true);
    const ev = (Action: string, attrs: Record<string, string> = {}, timeNano = Date.now() * 1e6) => w.handle({ Type: 'container', Action, Actor: { ID: 'c1', Attributes: { name: 'shop-web', ...attrs } }, timeNano });
    ev('die', { exitCode: '137' });
    ev('start');
    ev('health_status: healthy');
    ev('kill', { signal: '9' });
    ev('die', { exitCode: '137' });
    ev('start');
    ev('oom');
    ev('die', { exitCode: '137' });
    await new Promise((r) => setTimeout(r, 200));
    const brief = out.map((e) => `${e.type}${e.restart ? '+restart' : ''}${e.oom ? '+oom' : ''}${e.code !== undefined ? `:${e.code}` : ''}`);
    // Spawns come out after their pid lookup, so only the other events keep their order.
    assert.deepEqual(brief.filter((b) => !b.startsWith('spawn')), ['exit:137', 'ready', 'exit:137', 'exit+oom:137']);
    assert.equal(out.filter((e) => e.type === 'spawn' && e.restart).length, 1);
    assert.equal(out.filter((e) => e.type === 'spawn').length, 2);
    assert.ok(out.every((e) => e.service === 'web' && e.container === 'shop-web' && typeof e.mono === 'number'));
    assert.ok(logs.some((l) => /^OOM: the kernel killed a process of container shop-web \(web\)/.test(l)));
  });
});

describe('system file and experiments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flt-docker-units-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a docker service without health is watched through the engine; with health, its own check stands', () => {
    const parsed = systemSchema.parse({ services: { a: { compose: { service: 'api' } }, b: { container: 'x', health: { tcp: '127.0.0.1:1' } }, c: { pid: 1 } } });
    assert.deepEqual(parsed.services.a!.health, defaultContainerHealth({ compose: { service: 'api' } }));
    assert.equal(parsed.services.a!.health!.command![0], 'sh');
    assert.equal(parsed.services.b!.health!.tcp, '127.0.0.1:1');
    assert.equal(parsed.services.c!.health, undefined);
  });

  test('bad input names the file, the path and what was expected', async () => {
    writeFileSync(join(dir, 'faultline.yaml'), 'services:\n  api:\n    compose: { service: api }\n  local:\n    pid: 1\n    dockerHost: tcp://10.0.0.5:2375\n');
    writeFileSync(join(dir, 'ok.yaml'), 'title: ok\nmethod:\n  - { fault: container-kill, target: api }\n');
    await assert.rejects(loadExperiment('ok.yaml', { cwd: dir, kinds: faultRegistry() }), (err: Error) => /faultline\.yaml/.test(err.message) && /services\.local\.dockerHost/.test(err.message) && /dockerHost applies to container, compose and swarm services only/.test(err.message));
    writeFileSync(join(dir, 'bad.yaml'), 'title: bad\nmethod:\n  - { fault: container-kill, target: api, replicas: 0 }\n');
    writeFileSync(join(dir, 'faultline.yaml'), 'services:\n  api:\n    compose: { service: api }\n  local:\n    pid: 1\n');
    await assert.rejects(loadExperiment('bad.yaml', { cwd: dir, kinds: faultRegistry() }), (err: Error) => /bad\.yaml:3:\d+ at method\[0\]\.replicas: expected at least 1 replica/.test(err.message));
    writeFileSync(join(dir, 'wrong.yaml'), 'title: wrong\nmethod:\n  - { fault: container-pause, target: local, duration: 1s }\n  - { fault: pause, target: api, duration: 1s }\n');
    await assert.rejects(loadExperiment('wrong.yaml', { cwd: dir, kinds: faultRegistry() }), (err: Error) =>
      /service "local" is not a Docker service \(its target is pid\): container-\* faults need container, compose or swarm/.test(err.message) &&
      /service "api" is a Docker service \(compose\): use the container-\* faults instead/.test(err.message));
  });
});
