/** The stand-in's parsers, on their own: selectors, patches, Go durations, exec kill commands, Tables' ages. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGoDuration } from '../helpers/kube/chaos/controller.js';
import { webhookCauses } from '../helpers/kube/chaos/validate.js';
import { killSignal } from '../helpers/kube/exec.js';
import { jsonPatch, mergePatch, strategicMergePatch } from '../helpers/kube/patch.js';
import { fieldMatcher, labelMatcher } from '../helpers/kube/selectors.js';
import { humanAge, tableVersion } from '../helpers/kube/table.js';

const pod = (labels: Record<string, string>, phase = 'Running') => ({ metadata: { name: 'p', namespace: 'shop', labels }, spec: { nodeName: 'node-a' }, status: { phase } });

describe('stand-in parsers', () => {
  it('matches label selectors as apimachinery does', () => {
    const o = pod({ app: 'cart', tier: 'web' });
    for (const [sel, want] of [
      ['app=cart', true],
      ['app==cart,tier=web', true],
      ['app!=cart', false],
      ['app!=db', true],
      ['tier in (web, api)', true],
      ['tier notin (web)', false],
      ['missing notin (x)', true],
      ['app', true],
      ['!app', false],
      ['!missing,app in (cart)', true],
      ['', true],
    ] as const)
      assert.equal(labelMatcher(sel)(o), want, sel);
    assert.throws(() => labelMatcher('app in cart')(o), /unable to parse requirement/);
  });

  it('matches the field selectors pods support and refuses others', () => {
    const o = pod({}, 'Pending');
    assert.ok(fieldMatcher('status.phase=Pending,spec.nodeName==node-a,metadata.namespace=shop', 'Pod')(o));
    assert.ok(!fieldMatcher('status.phase!=Pending', 'Pod')(o));
    assert.throws(() => fieldMatcher('status.phase=Running', 'ConfigMap'), /field label not supported: status\.phase/);
  });

  it('applies merge, JSON and strategic merge patches', () => {
    const d = { spec: { containers: [{ name: 'a', image: '1' }, { name: 'b', image: '1' }], paused: true } };
    assert.deepEqual(mergePatch(d, { spec: { paused: null, containers: [{ name: 'a', image: '2' }] } }), { spec: { containers: [{ name: 'a', image: '2' }] } });
    assert.deepEqual(strategicMergePatch(d, { spec: { $setElementOrder: [], containers: [{ name: 'b', image: '2' }, { name: 'c', image: '1' }] } }).spec.containers, [{ name: 'a', image: '1' }, { name: 'b', image: '2' }, { name: 'c', image: '1' }]);
    assert.deepEqual(strategicMergePatch(d, { spec: { containers: [{ name: 'a', $patch: 'delete' }] } }).spec.containers, [{ name: 'b', image: '1' }]);
    assert.deepEqual(jsonPatch(d, [{ op: 'replace', path: '/spec/containers/1/image', value: '3' }, { op: 'remove', path: '/spec/paused' }, { op: 'add', path: '/spec/containers/-', value: { name: 'c' } }]).spec, { containers: [{ name: 'a', image: '1' }, { name: 'b', image: '3' }, { name: 'c' }] });
    assert.throws(() => jsonPatch(d, [{ op: 'test', path: '/spec/paused', value: false }]), /test failed/);
  });

  it('parses Go durations and recognises kills of PID 1', () => {
    assert.equal(parseGoDuration('1m30s'), 90_000);
    assert.equal(parseGoDuration('1.5h'), 5_400_000);
    assert.equal(parseGoDuration('-10m100ns'), -(600_000 + 0.0001));
    assert.equal(parseGoDuration('30'), undefined);
    for (const argv of [['kill', '1'], ['kill', '-TERM', '1'], ['kill', '-s', 'TERM', '1'], ['sh', '-c', 'kill -15 1']]) assert.equal(killSignal(argv), 'TERM', argv.join(' '));
    for (const argv of [['kill', '-9', '1'], ['/bin/sh', '-c', 'kill -s KILL 1'], ['kill', '-SIGKILL', '1']]) assert.equal(killSignal(argv), 'KILL', argv.join(' '));
    for (const argv of [['kill', '2'], ['kill', '-HUP', '1'], ['ls'], []]) assert.equal(killSignal(argv), undefined, argv.join(' '));
  });

  it('checks the Chaos Mesh webhook rules the schema cannot', () => {
    assert.deepEqual(webhookCauses('NetworkChaos', { mode: 'one', action: 'delay', duration: '30s', delay: { latency: '10ms', correlation: '25' } }), []);
    const fields = (kind: string, spec: unknown) => webhookCauses(kind, spec).map((c) => c.field);
    assert.deepEqual(fields('NetworkChaos', { mode: 'fixed', value: '0', duration: '30', bandwidth: { rate: 'fast' }, direction: 'both', action: 'delay' }), ['spec.duration', 'spec.value', 'spec.bandwidth.rate', 'spec.direction']);
    assert.deepEqual(fields('HTTPChaos', { mode: 'all', port: 0, target: 'Request', method: 'get', delay: '1 s' }), ['spec.port', 'spec.delay', 'spec.method']);
    assert.deepEqual(fields('StressChaos', { mode: 'random-max-percent', value: '101' }), ['spec.value']);
  });

  it('reads Table requests and prints ages as kubectl does', () => {
    assert.equal(tableVersion('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'), 'meta.k8s.io/v1');
    assert.equal(tableVersion('application/json'), undefined);
    const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();
    assert.deepEqual([humanAge(ago(5)), humanAge(ago(130)), humanAge(ago(1800)), humanAge(ago(3 * 3600 + 60)), humanAge(ago(30 * 3600)), humanAge(ago(3 * 86400))], ['5s', '2m10s', '30m', '3h1m', '30h', '3d']);
  });
});
