// The quick commands' own parsing: which fault a service's kind gets, flags refused on the wrong
// kind, and --load/--slo/--for read through the experiment's own schemas.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { quickFault } from '../../src/cli/quick-actions.js';
import { DEFAULT_QUICK_WINDOW_MS, parseSloList, quickLoad, quickWindows } from '../../src/cli/quick-load.js';
import { swarmTaskId } from '../../src/cli/quick-result.js';
import { systemSchema } from '../../src/experiment/schema/system.js';

const system = systemSchema.parse({
  services: {
    api: { process: { command: 'node api.js' }, health: { http: 'http://127.0.0.1:1/' } },
    attached: { pidFile: 'api.pid' },
    box: { container: 'shop-box-1' },
    web: { compose: { service: 'web', project: 'shop' } },
    tasks: { swarm: { service: 'tasks' } },
    edge: { endpoint: '127.0.0.1:9' },
  },
});
const svc = (name: string) => system.services[name]!;

describe('quickFault: the fault follows the service\'s kind', () => {
  test('kill: a process gets kill, a container or Compose service container-kill (a crash by default), a Swarm service one task', () => {
    assert.deepEqual(quickFault('kill', 'api', svc('api'), { signal: 'SIGTERM' }), { fault: 'kill', params: { signal: 'SIGTERM' } });
    assert.deepEqual(quickFault('kill', 'attached', svc('attached')), { fault: 'kill', params: {} });
    assert.deepEqual(quickFault('kill', 'box', svc('box')), { fault: 'container-kill', params: {} });
    assert.deepEqual(quickFault('kill', 'web', svc('web'), { method: 'engine', replicas: '50%' }), { fault: 'container-kill', params: { method: 'engine', replicas: '50%' } });
    assert.deepEqual(quickFault('kill', 'tasks', svc('tasks')), { fault: 'container-kill', params: { replicas: 1 } });
    assert.deepEqual(quickFault('kill', 'tasks', svc('tasks'), { replicas: '2' }), { fault: 'container-kill', params: { replicas: 2 } });
  });

  test('pause, restart and limit', () => {
    assert.deepEqual(quickFault('pause', 'api', svc('api')), { fault: 'pause', params: {} });
    assert.deepEqual(quickFault('pause', 'web', svc('web'), { replicas: '1' }), { fault: 'container-pause', params: { replicas: 1 } });
    assert.deepEqual(quickFault('restart', 'box', svc('box'), { stopTimeout: 2000 }), { fault: 'container-restart', params: { timeout: 2000 } });
    assert.deepEqual(quickFault('limit', 'api', svc('api'), { cpus: 0.5, mode: 'move' }), { fault: 'resource-limit', params: { mode: 'move', cpus: 0.5 } });
    assert.deepEqual(quickFault('limit', 'web', svc('web'), { memory: '64m' }), { fault: 'container-limit', params: { memory: '64m' } });
  });

  test('a flag of the other kind is refused, naming both; a watch-only service has nothing to act on', () => {
    assert.throws(() => quickFault('kill', 'api', svc('api'), { method: 'engine' }), /--method applies to Docker services \(container, compose, swarm\); api is a process service/);
    assert.throws(() => quickFault('pause', 'api', svc('api'), { replicas: '1' }), /--replicas applies to Docker services/);
    assert.throws(() => quickFault('limit', 'web', svc('web'), { cpus: 1, mode: 'move' }), /--mode applies to process services; web is a Compose service/);
    assert.throws(() => quickFault('kill', 'edge', svc('edge')), /service edge is watch-only \(endpoint: 127\.0\.0\.1:9\): there is no process or container to kill/);
  });
});

describe('--load, --slo and --for', () => {
  test('without --load there is no load, and its companions are refused', () => {
    assert.equal(quickLoad({}), undefined);
    assert.throws(() => quickLoad({ rate: '10/s' }), /--rate needs --load URL/);
    assert.throws(() => quickLoad({ slo: 'errors<1%' }), /--slo needs --load URL/);
    assert.throws(() => quickLoad({ loadRate: '10/s' }, 'load-rate'), /--load-rate needs --load URL/);
  });

  test('the open model by default, the closed one with --connections; bad values name their flag', () => {
    const open = quickLoad({ load: 'http://127.0.0.1:8080/' })!;
    assert.equal((open.load as { url: string }).url, 'http://127.0.0.1:8080/');
    assert.equal((open.load as { rate?: number }).rate, 50);
    const closed = quickLoad({ load: 'http://127.0.0.1:8080/x', connections: '4' })!;
    assert.equal((closed.load as { rate?: number }).rate, undefined);
    assert.equal((closed.load as { connections: number }).connections, 4);
    assert.throws(() => quickLoad({ load: 'http://h/', rate: '10/s', connections: '2' }), /--rate \(open model\) and --connections \(closed model\) cannot be combined/);
    assert.throws(() => quickLoad({ load: 'http://h/', rate: 'fast' }), /^UsageError: --rate: /);
    assert.throws(() => quickLoad({ load: 'http://h/', connections: '0' }), /--connections: expected a whole number >= 1, got "0"/);
    assert.throws(() => quickLoad({ load: '50' }), /--load: expected the URL to send traffic to/);
    assert.equal((quickLoad({ load: 'http://h/', rate: '999/s', loadRate: '20/s' }, 'load-rate')!.load as { rate?: number }).rate, 20, 'bandwidth: --rate is the bandwidth, --load-rate the traffic');
  });

  test('--slo: metric, bound and window, by the SLO schema', () => {
    const [errors, p99, avail, rps] = parseSloList('errors<1%, p99<500ms@recovery,availability>99.9%,rps>=100/s');
    assert.deepEqual(errors, { name: 'errors<1%', metric: 'errorRate', phase: 'chaos', op: '<=', value: 0.01 });
    assert.deepEqual(p99, { name: 'p99<500ms@recovery', metric: 'p99', phase: 'recovery', op: '<=', value: 500 });
    assert.deepEqual(avail, { name: 'availability>99.9%', metric: 'availability', phase: 'chaos', op: '>=', value: 0.999 });
    assert.deepEqual(rps, { name: 'rps>=100/s', metric: 'throughput', phase: 'chaos', op: '>=', value: 100 });
    assert.throws(() => parseSloList('p99 under 500ms'), /--slo "p99 under 500ms": expected METRIC<VALUE or METRIC>VALUE/);
    assert.throws(() => parseSloList('p99<fast'), /--slo "p99<fast": expected a latency such as 300ms/);
    assert.throws(() => parseSloList('latency<1s'), /--slo "latency<1s": /);
    assert.throws(() => parseSloList(' , '), /--slo: expected objectives/);
  });

  test('--for: a held fault\'s duration (and window); an instant one\'s window only with load', () => {
    assert.deepEqual(quickWindows('10s', false, true), { duration: 10_000, windowMs: 10_000 });
    assert.deepEqual(quickWindows(undefined, true, false), { windowMs: DEFAULT_QUICK_WINDOW_MS });
    assert.deepEqual(quickWindows('3s', true, false), { windowMs: 3000 });
    assert.throws(() => quickWindows('3s', false, false), /--for goes with --load here/);
    assert.throws(() => quickWindows('soon', true, true), /--for: expected a duration above 0/);
    assert.throws(() => quickWindows('0s', true, true), /--for: expected a duration above 0/);
  });
});

test('a Swarm task container\'s name ends in its task id', () => {
  assert.equal(swarmTaskId('shop_web.2.k3j2h1g0f9e8d7c6b5a4z3y2x'), 'k3j2h1g0f9e8d7c6b5a4z3y2x');
  assert.equal(swarmTaskId('shop_web_1'), null);
});
