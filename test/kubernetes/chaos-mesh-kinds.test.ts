// Every Chaos Mesh kind builds resources a cluster with Chaos Mesh would accept (the CRD schemas
// with objects closed, plus the webhook's rules), for its defaults, every pod mode and each option;
// and parameters Chaos Mesh cannot express are refused with a message that says what to use.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chaosMeshCrdName, chaosMeshKinds, chaosMeshResource, goDuration, type ChaosMeshSelection } from '../../src/drivers/kubernetes/chaos-mesh/index.js';
import { chaosMeshProblems, chaosMeshSkip } from '../helpers/chaos-mesh-schema.js';

const cart: ChaosMeshSelection = { namespace: 'shop', labelSelectors: { app: 'cart', 'app.kubernetes.io/part-of': 'shop' }, containerNames: ['server'] };
const db: ChaosMeshSelection = { namespace: 'shop', labelSelectors: { app: 'db' } };
const MODES = ['one', 'all', { fixed: 2 }, { 'fixed-percent': 50 }];
const labels = { 'app.kubernetes.io/managed-by': 'faultline', 'faultline.dev/run-id': 'r1' };

function build(kind: string, params: Record<string, unknown>, durationMs?: number) {
  return chaosMeshResource(chaosMeshKinds[kind]!, params, cart, { name: `faultline-r1-${kind}`, labels, ...(durationMs !== undefined ? { durationMs } : {}), peers: { db } });
}

/** Representative parameters per kind: the defaults first, then each option. */
const CASES: Record<string, Record<string, unknown>[]> = {
  'net-delay': [{ delay: '100ms' }, { delay: '1.5s', jitter: '20ms', correlation: 25 }, { delay: 50, direction: 'both', peer: 'db' }, { delay: 50, direction: 'ingress', peer: 'db' }, { delay: 50, peers: ['10.0.0.0/8', 'api.example.com'] }, { delay: 50, interfaces: ['eth1'], protocol: 'all' }],
  'net-loss': [{ percent: 10 }, { percent: '0.5%', correlation: 25 }, { percent: 30, peer: 'db' }, { percent: 30, direction: 'egress', peers: ['192.168.1.10'], backend: 'auto' }],
  'net-partition': [{}, { direction: 'ingress' }, { direction: 'egress', peer: 'db' }, { peer: 'db' }, { peers: ['10.1.0.0/16'], action: 'drop' }],
  'net-bandwidth': [{ rate: '1mbit' }, { rate: '2mbps', burst: '32k', limit: '1m' }, { rate: 123456, peer: 'db', direction: 'both' }, { rate: '500kbit', interfaces: ['eth0'] }],
  'cpu-stress': [{}, { workers: 4, load: 50 }, { engine: 'stress-ng', placement: 'target' }],
  'memory-stress': [{ size: '256m' }, { size: '1g', workers: 4, oomScoreAdj: -1000 }, { size: 1000 }],
  'http-error': [{ port: 8080 }, { port: 80, status: 500, body: '{"error":"boom"}', headers: { 'content-type': 'application/json' }, path: '/api/*', method: 'POST' }, { port: 80, abort: true, method: 'GET' }, { port: 80, probability: 1 }],
  'http-delay': [{ port: 8080 }, { port: 8080, delay: '2s', path: '/slow', method: 'PUT', jitter: 0 }],
  'io-delay': [{ volumePath: '/var/lib/data', delay: '100ms' }, { volumePath: '/data', path: '/data/**/*.db', percent: 50, methods: ['read', 'write', 'fsync'], delay: '1s' }],
  'io-fault': [{ volumePath: '/data' }, { volumePath: '/data', errno: 'ENOSPC', methods: ['write'], percent: '20%' }, { volumePath: '/data', errno: 13 }],
  'time-skew': [{ offset: '-10m' }, { offset: '+1h30m', clockIds: ['CLOCK_REALTIME', 'CLOCK_MONOTONIC'] }, { offset: 1500 }],
  'pod-delete': [{}, { gracePeriod: '5s' }, { gracePeriod: 0 }],
  'pod-kill': [{}],
  'container-kill': [{}, { container: 'sidecar' }],
};

describe('Chaos Mesh kinds build valid resources', { skip: chaosMeshSkip }, () => {
  test('every kind has cases', () => assert.deepEqual(Object.keys(CASES).sort(), Object.keys(chaosMeshKinds).sort()));
  for (const [kind, cases] of Object.entries(CASES)) {
    test(kind, () => {
      const timing = chaosMeshKinds[kind]!.timing;
      for (const params of cases) {
        for (const mode of MODES) {
          const resource = build(kind, { ...params, mode }, 30_000);
          assert.deepEqual(chaosMeshProblems(resource), [], `${kind} ${JSON.stringify({ ...params, mode })}:\n${JSON.stringify(resource.spec, null, 2)}`);
          assert.equal(resource.spec.duration, timing === 'held' ? '30s' : undefined);
        }
      }
    });
  }
});

const spec = (kind: string, params: Record<string, unknown>, durationMs?: number) => build(kind, params, durationMs).spec;

test('the mapping, field by field', () => {
  const base = { selector: { namespaces: ['shop'], labelSelectors: cart.labelSelectors }, mode: 'one' };
  assert.deepEqual(spec('net-delay', { delay: '1.5s', jitter: 20, correlation: 25 }, 60_000), { ...base, duration: '1m', action: 'delay', direction: 'to', delay: { latency: '1500ms', jitter: '20ms', correlation: '25' } });
  assert.deepEqual(spec('net-partition', { peer: 'db', mode: { fixed: 2 } }), { ...base, mode: 'fixed', value: '2', action: 'partition', direction: 'both', target: { mode: 'all', selector: { namespaces: ['shop'], labelSelectors: { app: 'db' } } } });
  assert.deepEqual(spec('net-partition', { direction: 'ingress', peers: ['10.0.0.1'] }), { ...base, action: 'partition', direction: 'from', externalTargets: ['10.0.0.1'] });
  assert.deepEqual(spec('net-loss', { percent: '0.5%', mode: { 'fixed-percent': 50 } }).loss, { loss: '0.5' });
  assert.deepEqual(spec('net-bandwidth', { rate: '2mbps' }).bandwidth, { rate: '16mbit', limit: 20971520, buffer: 10000 });
  assert.deepEqual(spec('net-bandwidth', { rate: 123456, burst: '64k', limit: '1m' }).bandwidth, { rate: '123456bit', limit: 1048576, buffer: 65536 });
  assert.deepEqual(spec('cpu-stress', {}), { ...base, containerNames: ['server'], stressors: { cpu: { workers: 1, load: 100 } } });
  assert.deepEqual(spec('memory-stress', { size: '1g', workers: 4 }).stressors, { memory: { workers: 4, size: '268435456B' } });
  const error = spec('http-error', { port: 8080 });
  assert.equal(error.target, 'Response');
  assert.equal(Buffer.from((error.replace as { body: string }).body, 'base64').toString(), '503 Service Unavailable (faultline http-error)\n');
  assert.deepEqual({ ...(error.replace as object), body: undefined }, { code: 503, body: undefined });
  assert.deepEqual(spec('http-error', { port: 80, abort: true }), { ...base, target: 'Request', port: 80, abort: true });
  assert.deepEqual(spec('http-delay', { port: 80 }), { ...base, target: 'Request', port: 80, delay: '1s' });
  assert.deepEqual(spec('io-fault', { volumePath: '/data' }), { ...base, containerNames: ['server'], action: 'fault', volumePath: '/data', percent: 100, errno: 5 });
  assert.deepEqual(spec('io-delay', { volumePath: '/data', delay: 250, methods: ['read'] }), { ...base, containerNames: ['server'], action: 'latency', volumePath: '/data', percent: 100, methods: ['read'], delay: '250ms' });
  assert.equal(spec('time-skew', { offset: '-10m' }).timeOffset, '-10m');
  assert.equal(spec('time-skew', { offset: -90_500 }).timeOffset, '-90500ms');
  assert.deepEqual(spec('pod-delete', {}, 10_000), { ...base, action: 'pod-kill', gracePeriod: 30 });
  assert.deepEqual(spec('pod-delete', { gracePeriod: '5s' }), { ...base, action: 'pod-kill', gracePeriod: 5 });
  assert.deepEqual(spec('pod-kill', { mode: 'all' }), { ...base, mode: 'all', action: 'pod-kill', gracePeriod: 0 });
  assert.deepEqual(spec('container-kill', {}), { ...base, action: 'container-kill', containerNames: ['server'] });
  const resource = build('net-loss', { percent: 5 });
  assert.deepEqual([resource.apiVersion, resource.kind, resource.metadata], ['chaos-mesh.org/v1alpha1', 'NetworkChaos', { name: 'faultline-r1-net-loss', namespace: 'shop', labels }]);
});

test('CRD names, durations', () => {
  assert.equal(chaosMeshCrdName(chaosMeshKinds['net-delay']!), 'networkchaos.chaos-mesh.org');
  assert.deepEqual(Object.values(chaosMeshKinds).map(chaosMeshCrdName).filter((v, i, a) => a.indexOf(v) === i).sort(), ['httpchaos.chaos-mesh.org', 'iochaos.chaos-mesh.org', 'networkchaos.chaos-mesh.org', 'podchaos.chaos-mesh.org', 'stresschaos.chaos-mesh.org', 'timechaos.chaos-mesh.org']);
  assert.deepEqual([1500, 60_000, 90_000, 3_600_000, 3_723_000, 0, 0.5, 250].map(goDuration), ['1500ms', '1m', '1m30s', '1h', '1h2m3s', '0s', '500us', '250ms']);
});

/** The first message zod gives for these parameters. */
function refusal(kind: string, params: Record<string, unknown>): string {
  const parsed = chaosMeshKinds[kind]!.params.safeParse(params);
  assert.equal(parsed.success, false, `${kind} ${JSON.stringify(params)} was accepted`);
  return parsed.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
}

test('parameters Chaos Mesh cannot express are refused, saying what to use instead', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['net-delay', { delay: 10, ports: [80] }, /^ports: Chaos Mesh's NetworkChaos selects pods, not ports: .*narrow it with peer or peers/],
    ['net-delay', { delay: 10, protocol: 'tcp' }, /^protocol: .*acts on every protocol/],
    ['net-delay', { delay: 10, direction: 'both' }, /^direction: direction both needs peer: SERVICE on Kubernetes/],
    ['net-loss', { percent: 10, direction: 'ingress' }, /^direction: direction ingress needs peer: SERVICE/],
    ['net-delay', { delay: 10, peer: 'db', peers: ['10.0.0.1'] }, /^peers: peers \(Chaos Mesh externalTargets\) work only with direction egress, got both/],
    ['net-delay', { delay: 10, interfaces: ['eth0', 'eth1'] }, /one interface of the pod/],
    ['net-loss', { percent: 10, backend: 'nft' }, /^backend: Chaos Mesh's chaos-daemon chooses the packet filter/],
    ['net-partition', { action: 'reject' }, /^action: Chaos Mesh partitions drop packets .*cannot reject/],
    ['cpu-stress', { engine: 'builtin' }, /^engine: Chaos Mesh always runs its own stressors/],
    ['cpu-stress', { placement: 'host' }, /^placement: .*inside the target container's cgroups/],
    ['cpu-stress', { load: 33.5 }, /^load: Chaos Mesh takes a whole percentage/],
    ['http-error', { status: 500 }, /^port: /],
    ['http-error', { port: 80, probability: 0.5 }, /^probability: Chaos Mesh's HTTPChaos acts on every matching request/],
    ['http-error', { port: 80, abort: true, status: 500 }, /^status: abort drops the request/],
    ['http-delay', { port: 80, jitter: '10ms' }, /^jitter: .*delays every request by the same time/],
    ['io-delay', { delay: '10ms' }, /^volumePath: /],
    ['io-delay', { volumePath: 'data', delay: '10ms' }, /^volumePath: expected an absolute path/],
    ['io-fault', { volumePath: '/data', errno: 'EWHATEVER' }, /^errno: /],
    ['io-fault', { volumePath: '/data', methods: ['scribble'] }, /^methods.0: /],
    ['time-skew', { offset: '0s' }, /^offset: expected a non-zero offset/],
    ['time-skew', { offset: 'soon' }, /^offset: expected a non-zero offset/],
    ['pod-delete', { gracePeriod: 1500 }, /^gracePeriod: expected whole seconds/],
    ['pod-kill', { mode: { fixed: 0 } }, /^mode/],
    ['pod-kill', { mode: 'some' }, /^mode/],
    ['net-delay', { delay: 10, peers: ['not an address'] }, /^peers.0: expected an IP address, a CIDR/],
    ['net-delay', { delya: 10 }, /Unrecognized key|unrecognized/i],
  ];
  for (const [kind, params, expected] of cases) assert.match(refusal(kind, params), expected, `${kind} ${JSON.stringify(params)}`);
});

test('container-kill without a container anywhere says where to name one', () => {
  const kind = chaosMeshKinds['container-kill']!;
  assert.throws(() => chaosMeshResource(kind, {}, db, { name: 'x', labels }), /container-kill needs the container to kill: give container: NAME, or set kubernetes.container/);
});

test('parsing parsed parameters changes nothing (the loader parses a step, chaosMeshResource parses again)', () => {
  for (const [kind, cases] of Object.entries(CASES)) {
    const schema = chaosMeshKinds[kind]!.params;
    for (const params of cases) {
      const once = schema.parse(params);
      assert.deepEqual(schema.parse(once), once, `${kind} ${JSON.stringify(params)}`);
    }
  }
});
