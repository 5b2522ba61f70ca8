// The linux fault kinds as the registry and experiment files see them: names, parameters,
// targets, and the pure parts of their plans.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { createServer } from 'node:net';
import { registerLinuxQuick, endpointSystem } from '../../../src/cli/commands/linux-quick.js';
import { builtinDrivers, builtinFaults } from '../../../src/drivers/index.js';
import { LinuxDriver } from '../../../src/drivers/linux/driver.js';
import { linuxFaults } from '../../../src/drivers/linux/index.js';
import { fillAmount } from '../../../src/drivers/linux/resources/disk-fill.js';
import { limitLeaving, parseNofile } from '../../../src/drivers/linux/resources/fd-exhaustion.js';
import { workerCommands } from '../../../src/drivers/linux/resources/stress.js';
import { parseEndpoint, servicePorts } from '../../../src/drivers/linux/target.js';

test('registered: every linux kind under its own name, with driver linux; names that the proxy also uses carry net-', () => {
  for (const [name, kind] of Object.entries(linuxFaults)) {
    assert.equal(kind.name, name);
    assert.equal(kind.driver, 'linux');
    assert.equal((builtinFaults as Record<string, unknown>)[name], kind);
  }
  for (const taken of ['partition', 'loss', 'bandwidth', 'latency', 'jitter']) assert.equal(taken in linuxFaults, false, taken);
  assert.ok(builtinDrivers.linux?.() instanceof LinuxDriver);
});

test('parameters: defaults, and the mistakes people make', () => {
  assert.deepEqual(linuxFaults['net-partition'].params.parse({}), { direction: 'both', protocol: 'all', action: 'drop', backend: 'auto' });
  assert.equal(linuxFaults['net-partition'].params.safeParse({ peers: ['10.0.0.300'] }).success, false);
  assert.equal(linuxFaults['net-partition'].params.safeParse({ peers: ['10.0.0.0/33'] }).success, false);
  assert.equal(linuxFaults['net-partition'].params.safeParse({ peers: ['fd00::/8'], ports: [5432] }).success, true);
  assert.equal(linuxFaults['net-loss'].params.safeParse({}).success, false, 'percent is required');
  assert.equal(linuxFaults.netem.params.safeParse({}).error?.issues[0]?.message, 'expected at least one of delay, loss, corrupt, duplicate or reorder');
  assert.equal(linuxFaults.netem.params.safeParse({ reorder: 10 }).error?.issues[0]?.message, 'reorder needs a delay (packets are reordered by sending some without it)');
  assert.equal(linuxFaults['net-delay'].params.parse({ delay: '100ms' }).delay, 100);
  assert.equal(linuxFaults['resource-limit'].params.safeParse({}).success, false);
  assert.equal(linuxFaults['memory-limit'].params.safeParse({ memory: '1m' }).error?.issues[0]?.message, 'expected at least 4m');
  assert.equal(linuxFaults['cpu-limit'].params.safeParse({ cpus: 0 }).success, false);
  assert.deepEqual(linuxFaults['cpu-stress'].params.parse({}), { workers: 1, load: 100, engine: 'auto', placement: 'target' });
  assert.equal(linuxFaults['disk-fill'].params.parse({ path: '/tmp' }).keepFree, 256 * 1024 * 1024);
});

test('targets: endpoints and ports from the system file', () => {
  assert.deepEqual(parseEndpoint('db.internal:5432'), { host: 'db.internal', port: 5432 });
  assert.deepEqual(parseEndpoint('[::1]:6379'), { host: '::1', port: 6379 });
  assert.deepEqual(parseEndpoint('https://api.example.com/health'), { host: 'api.example.com', port: 443 });
  assert.deepEqual(parseEndpoint('tcp://10.0.0.5:9000'), { host: '10.0.0.5', port: 9000 });
  assert.deepEqual(parseEndpoint('cache'), { host: 'cache' });
  assert.equal(parseEndpoint('a:99999'), undefined);
  assert.deepEqual(servicePorts({ ports: [7101, 7102] }), [7101, 7102]);
  assert.deepEqual(servicePorts({ health: { http: 'http://127.0.0.1:7101/health' } }), [7101]);
  assert.deepEqual(servicePorts({ health: { tcp: 'localhost:6379' } }), [6379]);
  assert.deepEqual(servicePorts({ health: { command: 'true' } }), []);
});

test('the driver: what it accepts at validation, and an endpoint resolved to addresses', async () => {
  const d = new LinuxDriver();
  const view = { services: {} };
  assert.equal(d.checkTarget({ service: 'api', config: { pid: 1 } }, view), undefined);
  assert.equal(d.checkTarget({ service: 'db', config: { endpoint: '127.0.0.1:5432' } }, view), undefined);
  assert.match(d.checkTarget({ service: 'web', config: { endpoint: 'example' } }, view)!, /names no port/);
  assert.match(d.checkTarget({ service: 'api', sub: 'db', config: { pid: 1 } }, view)!, /not on a proxy link: use "api"/);
  assert.equal(d.checkTarget({ service: 'ghost', config: {} }, view), 'unknown service "ghost"');
  const [t] = await d.resolve({ service: 'db', config: { endpoint: 'localhost:5432' } }, view, { baseDir: '.', stateDir: '.', log: () => undefined });
  assert.equal(t!.label, 'db (localhost:5432)');
  assert.deepEqual(t!.ports, [5432]);
  assert.ok(t!.endpoint!.addresses.includes('127.0.0.1'));
  assert.deepEqual(t!.processes, []);
});

test('disk-fill keeps the floor; fd-exhaustion computes the limit that leaves exactly `free` descriptors', () => {
  assert.equal(fillAmount(100, 30), 70);
  assert.equal(fillAmount(100, 30, 20), 20);
  assert.equal(fillAmount(100, 300), 0);
  assert.equal(limitLeaving([0, 1, 2, 3], 0), 4);
  assert.equal(limitLeaving([0, 1, 2, 3], 2), 6);
  assert.equal(limitLeaving([0, 1, 2, 5], 0), 3, 'the lowest free number comes next');
  assert.equal(limitLeaving([0, 1, 2, 5], 2), 6, '3 and 4 may still be opened; 6 may not');
  assert.deepEqual(parseNofile('Limit  Soft Limit  Hard Limit  Units\nMax open files            1024                 524288               files\n'), { soft: '1024', hard: '524288' });
});

test('stress: one stress-ng for all workers, or one built-in node worker each', () => {
  const spec = { cpuWorkers: 2, load: 50, memoryBytes: 64 * 1024 * 1024, memoryWorkers: 2 };
  const [ng] = workerCommands('stress-ng', spec);
  assert.deepEqual(ng!.args, ['--cpu', '2', '--cpu-load', '50', '--vm', '2', '--vm-bytes', '32768k', '--vm-keep', '--timeout', '0', '--quiet']);
  const builtin = workerCommands('builtin', spec, '/usr/bin/node');
  assert.equal(builtin.length, 4);
  assert.deepEqual(builtin.map((w) => w.env), [{ FL_LOAD: '50' }, { FL_LOAD: '50' }, { FL_BYTES: String(32 * 1024 * 1024) }, { FL_BYTES: String(32 * 1024 * 1024) }]);
});

test('quick commands: registered beside kill and pause; host:port becomes a one-service system', async () => {
  const program = new Command();
  registerLinuxQuick(program, () => undefined);
  assert.deepEqual(program.commands.map((c) => c.name()), ['partition', 'loss', 'bandwidth', 'limit', 'stress']);

  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as { port: number }).port;
  try {
    const { service, system } = await endpointSystem(`127.0.0.1:${port}`);
    assert.equal(service, `127-0-0-1-${port}`);
    const svc = system.system.services[service]!;
    assert.equal(svc.endpoint, `127.0.0.1:${port}`);
    assert.deepEqual(svc.ports, [port]);
    assert.equal(svc.health?.tcp, `127.0.0.1:${port}`, 'something answers there: its recovery is measured');
  } finally {
    server.close();
  }
  const closed = await endpointSystem('127.0.0.1:1');
  assert.equal(closed.system.system.services[closed.service]!.health, undefined, 'nothing answers: no health check');
  await assert.rejects(endpointSystem('nonsense:port'), /expected a service from the system file or host:port/);
});
