// `faultline export --chaos-mesh`, the library side: an experiment becomes one chaos resource, a
// Workflow or a Schedule that Chaos Mesh would accept (validated against the published CRD
// schemas and the webhook's rules); what has no Chaos Mesh equivalent is refused with its step's
// path and line.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ChaosMeshSelection } from '../../src/drivers/kubernetes/chaos-mesh/index.js';
import { ValidationError } from '../../src/errors/index.js';
import { exportChaosMesh, INSTANT_DEADLINE_MS, type ChaosMeshExportOptions } from '../../src/export/chaos-mesh-export.js';
import { loadForExport } from '../../src/export/load-for-export.js';
import { tempDir } from '../helpers/cli.js';
import { chaosMeshProblems, chaosMeshSkip } from '../helpers/chaos-mesh-schema.js';

const SYSTEM = `
kubernetes:
  namespaces: [shop, data]
services:
  cart:
    kubernetes: { namespace: shop, selector: { app: cart }, container: server }
  db:
    kubernetes: { namespace: shop, selector: { app: db } }
  api:
    kubernetes: { namespace: shop, deployment: api }
  search:
    kubernetes: { namespace: data, selector: { app: search } }
  local:
    endpoint: tcp://127.0.0.1:5432
  frozen:
    critical: true
    kubernetes: { namespace: shop, selector: { app: frozen } }
`;

const SEQUENCE = `title: Cart rides out a slow database, then a pod loss under CPU pressure
hypothesis:
  probes:
    - { name: cart up, http: "http://cart.shop/health" }
method:
  - fault: net-delay
    target: cart
    delay: 200ms
    jitter: 20ms
    peer: db
    duration: 30s
  - wait: 10s
  - name: Both at once
    parallel:
      - { fault: cpu-stress, target: [cart, db], workers: 2, duration: 20s, mode: all }
      - sequence:
          - { fault: pod-kill, target: db }
          - { wait: 5s }
          - { fault: http-error, target: cart, port: 8080, status: 500, duration: 15s }
rollbacks:
  - { command: "true" }
recovery: { within: 30s }
`;

let dir: string;
let cleanup: () => Promise<void>;
before(async () => {
  ({ path: dir, cleanup } = await tempDir('faultline-export-'));
  await writeFile(join(dir, 'faultline.yaml'), SYSTEM);
});
after(() => cleanup());

async function exported(name: string, text: string, options: Partial<ChaosMeshExportOptions> = {}) {
  await writeFile(join(dir, name), text);
  const loaded = await loadForExport(name, { cwd: dir });
  const selectionOf = (service: string): Promise<ChaosMeshSelection> => {
    const k = loaded.system.system.services[service]!.kubernetes!;
    return Promise.resolve({ namespace: k.namespace, labelSelectors: k.selector ?? { 'app.kubernetes.io/name': k.deployment! }, ...(k.container ? { containerNames: [k.container] } : {}) });
  };
  return exportChaosMesh(loaded.experiment, { selectionOf, name: 'faultline-test', labels: { 'app.kubernetes.io/created-by': 'faultline-export' }, file: name, ...options });
}

async function refusal(name: string, text: string, options: Partial<ChaosMeshExportOptions> = {}): Promise<string[]> {
  try {
    await exported(name, text, options);
  } catch (err) {
    if (err instanceof ValidationError) return err.issues.map((i) => `${i.line ?? '-'} ${i.path}: ${i.message}`);
    throw err;
  }
  assert.fail(`${name} was exported`);
}

type Template = Record<string, unknown> & { name: string; templateType: string; children?: string[]; deadline?: string };

describe('export --chaos-mesh', { skip: chaosMeshSkip }, () => {
  test('a sequence with waits and a parallel group is a Workflow that validates, in the method\'s order', async () => {
    const { resource, leftOut, notes } = await exported('sequence.yaml', SEQUENCE);
    assert.deepEqual(chaosMeshProblems(resource), []);
    assert.equal(resource.kind, 'Workflow');
    assert.deepEqual(resource.metadata, { name: 'faultline-test', namespace: 'shop', labels: { 'app.kubernetes.io/created-by': 'faultline-export' } });
    const templates = resource.spec.templates as Template[];
    const byName = new Map(templates.map((t) => [t.name, t]));
    const shape = (name: string): unknown => {
      const t = byName.get(name)!;
      return t.children ? { [t.templateType]: t.children.map(shape) } : `${t.templateType} ${t.deadline}`;
    };
    assert.equal(resource.spec.entry, 'entry');
    assert.deepEqual(shape('entry'), {
      Serial: ['NetworkChaos 30s', 'Suspend 10s', { Parallel: [{ Parallel: ['StressChaos 20s', 'StressChaos 20s'] }, { Serial: [`PodChaos ${INSTANT_DEADLINE_MS / 1000}s`, 'Suspend 5s', 'HTTPChaos 15s'] }] }],
    });
    assert.deepEqual(byName.get('entry')!.children, ['net-delay-cart', 'wait-10s', 'both-at-once']);
    assert.deepEqual(byName.get('parallel')!.children, ['cpu-stress-cart', 'cpu-stress-db']);
    const delay = byName.get('net-delay-cart')!.networkChaos as Record<string, unknown>;
    assert.equal(delay.duration, undefined, 'the deadline ends a chaos template; the webhook refuses a duration');
    assert.deepEqual([delay.direction, delay.target, delay.delay], ['both', { mode: 'all', selector: { namespaces: ['shop'], labelSelectors: { app: 'db' } } }, { latency: '200ms', jitter: '20ms' }]);
    const stress = templates.filter((t) => t.templateType === 'StressChaos').map((t) => (t.stressChaos as { selector: { labelSelectors: unknown } }).selector.labelSelectors);
    assert.deepEqual(stress, [{ app: 'cart' }, { app: 'db' }]);
    assert.deepEqual(leftOut, ['hypothesis: 1 probe (no steady state is checked before, during or after the faults)', 'recovery: within 30s (no recovery is measured)', 'rollbacks: 1 (not run)']);
    assert.match(notes.join('\n'), /single actions .* 5s deadline/);
  });

  test('--cron wraps the Workflow in a Schedule that validates, one run at a time', async () => {
    const { resource } = await exported('sequence.yaml', SEQUENCE, { cron: '0 3 * * 1-5' });
    assert.deepEqual(chaosMeshProblems(resource), []);
    assert.equal(resource.kind, 'Schedule');
    assert.deepEqual([resource.spec.schedule, resource.spec.type, resource.spec.concurrencyPolicy], ['0 3 * * 1-5', 'Workflow', 'Forbid']);
    assert.equal((resource.spec.workflow as { entry: string }).entry, 'entry');
  });

  test('one fault on one service is that resource, with its duration; --cron makes it a Schedule of that kind', async () => {
    const text = 'title: t\nmethod:\n  - { fault: net-loss, target: cart, percent: 10, duration: 1m }\n';
    const single = await exported('single.yaml', text);
    assert.deepEqual(chaosMeshProblems(single.resource), []);
    assert.deepEqual([single.resource.kind, single.resource.metadata.namespace, single.resource.spec.duration, single.resource.spec.loss], ['NetworkChaos', 'shop', '1m', { loss: '10' }]);
    const scheduled = await exported('single.yaml', text, { cron: '@every 6h', namespace: 'chaos' });
    assert.deepEqual(chaosMeshProblems(scheduled.resource), []);
    assert.deepEqual([scheduled.resource.kind, scheduled.resource.metadata.namespace, scheduled.resource.spec.type], ['Schedule', 'chaos', 'NetworkChaos']);
    assert.equal((scheduled.resource.spec.networkChaos as { duration: string }).duration, '1m');
  });

  test('every kind exports inside a Workflow that validates', async () => {
    const steps = [
      '{ fault: net-delay, target: cart, delay: 10ms, duration: 5s }',
      '{ fault: net-loss, target: cart, percent: 5, duration: 5s }',
      '{ fault: net-partition, target: cart, peer: db, duration: 5s }',
      '{ fault: net-bandwidth, target: cart, rate: 1mbit, duration: 5s }',
      '{ fault: cpu-stress, target: cart, duration: 5s }',
      '{ fault: memory-stress, target: cart, size: 64m, duration: 5s }',
      '{ fault: http-error, target: cart, port: 80, abort: true, duration: 5s }',
      '{ fault: http-delay, target: cart, port: 80, delay: 1s, duration: 5s }',
      '{ fault: io-delay, target: cart, volumePath: /data, delay: 10ms, duration: 5s }',
      '{ fault: io-fault, target: cart, volumePath: /data, errno: EIO, duration: 5s }',
      '{ fault: time-skew, target: cart, offset: -1h, duration: 5s }',
      '{ fault: pod-delete, target: cart, gracePeriod: 10s }',
      '{ fault: pod-kill, target: cart, mode: { fixed-percent: 50 } }',
      '{ fault: container-kill, target: cart }',
    ];
    const { resource } = await exported('every.yaml', `title: every kind\nmethod:\n${steps.map((s) => `  - ${s}`).join('\n')}\n`);
    assert.deepEqual(chaosMeshProblems(resource), []);
    assert.deepEqual((resource.spec.templates as Template[]).map((t) => t.templateType), ['Serial', 'NetworkChaos', 'NetworkChaos', 'NetworkChaos', 'NetworkChaos', 'StressChaos', 'StressChaos', 'HTTPChaos', 'HTTPChaos', 'IOChaos', 'IOChaos', 'TimeChaos', 'PodChaos', 'PodChaos', 'PodChaos']);
  });

  test('a workload target takes its pods from selectionOf (the cluster lookup the driver provides)', async () => {
    const { resource } = await exported('workload.yaml', 'title: t\nmethod:\n  - { fault: pod-kill, target: api }\n');
    assert.deepEqual(chaosMeshProblems(resource), []);
    assert.deepEqual(resource.spec.selector, { namespaces: ['shop'], labelSelectors: { 'app.kubernetes.io/name': 'api' } });
  });
});

describe('export --chaos-mesh refuses what Chaos Mesh cannot run, naming the step', () => {
  test('a random choice, a random target, scale, rollout-restart and another driver\'s kind, all at once with their lines', async () => {
    const text = [
      'title: t',
      'method:',
      '  - random:',
      '      - { fault: pod-kill, target: cart }',
      '  - sequence:',
      '      - { fault: scale, target: cart, replicas: 0 }',
      '      - { fault: rollout-restart, target: cart }',
      '  - { fault: kill, target: cart }',
      '  - { fault: pod-kill, target: { random: [cart, db] } }',
      '',
    ].join('\n');
    assert.deepEqual(await refusal('random.yaml', text), [
      '3 method[0]: a random choice has no Chaos Mesh equivalent (a Workflow runs every step it names): list the steps to run in a sequence or parallel, or export one experiment per choice',
      '6 method[1].sequence[0].fault: fault scale has no Chaos Mesh equivalent (Chaos Mesh does not scale workloads): run this experiment with faultline run, or export it without this step',
      '7 method[1].sequence[1].fault: fault rollout-restart has no Chaos Mesh equivalent (Chaos Mesh does not restart rollouts): run this experiment with faultline run, or export it without this step',
      `8 method[2].fault: fault kill has no Chaos Mesh form; use pod-kill (or container-kill) (the Chaos Mesh kinds: net-delay, net-loss, net-partition, net-bandwidth, cpu-stress, memory-stress, http-error, http-delay, io-delay, io-fault, time-skew, pod-delete, pod-kill, container-kill)`,
      '9 method[3].target: a random target has no Chaos Mesh equivalent: list the services (each gets the fault), or name one and use mode: one to pick a pod at random',
    ]);
  });

  test('targets and peers must be kubernetes services the guardrails allow', async () => {
    const text = [
      'title: t',
      'method:',
      '  - { fault: pod-kill, target: local }',
      '  - { fault: net-partition, target: cart, peer: local, duration: 5s }',
      '  - { fault: pod-kill, target: [cart, carts] }',
      '  - { fault: pod-kill, target: frozen }',
      '  - { fault: pod-kill, target: cart.db }',
      '',
    ].join('\n');
    const issues = await refusal('targets.yaml', text);
    assert.deepEqual(issues.map((i) => i.replace(/ in \S+faultline\.yaml/, ' in SYSTEM')), [
      '3 method[0].target: service "local" is not a kubernetes service in SYSTEM: Chaos Mesh acts on pods, so export needs services with a kubernetes target ({ namespace, selector })',
      '4 method[1].peer: service "local" is not a kubernetes service in SYSTEM: Chaos Mesh acts on pods, so export needs services with a kubernetes target ({ namespace, selector })',
      '5 method[2].target[1]: unknown service "carts" (did you mean "cart"?); the system file defines: cart, db, api, search, local, frozen',
      '6 method[3].target: service "frozen" is marked critical in SYSTEM; set guardrails.allowCritical: true to target it on purpose',
      '7 method[4].target: "cart.db" names a proxy link: Chaos Mesh acts on pods, so name the kubernetes service itself',
    ]);
  });

  test('parameters are the Chaos Mesh kinds\', checked by the loader with their messages', async () => {
    const issues = await refusal('params.yaml', 'title: t\nmethod:\n  - { fault: net-loss, target: cart, percent: 10, ports: [80], duration: 5s }\n');
    assert.deepEqual(issues, ["3 method[0].ports: Chaos Mesh's NetworkChaos selects pods, not ports: it acts on all of their traffic; narrow it with peer or peers"]);
  });

  test('a selection that fails is refused at the step that needs it', async () => {
    const issues = await refusal('fails.yaml', 'title: t\nmethod:\n  - { wait: 1s }\n  - { fault: pod-kill, target: api }\n', {
      selectionOf: () => Promise.reject(new Error('the cluster did not answer')),
    });
    assert.deepEqual(issues, ['- method[1].target: the cluster did not answer']);
    const thrown = await refusal('fails.yaml', 'title: t\nmethod:\n  - { fault: pod-kill, target: api }\n', {
      selectionOf: () => {
        throw new Error('no kubeconfig');
      },
    });
    assert.deepEqual(thrown, ['- method[0].target: no kubeconfig']);
  });

  test('targets in several namespaces need --namespace; a bad cron is refused', async () => {
    const text = 'title: t\nmethod:\n  - { fault: pod-kill, target: cart }\n  - { fault: pod-kill, target: search }\n';
    await assert.rejects(exported('spread.yaml', text), /the targets are in namespaces shop and data: name the namespace of the exported resource with --namespace/);
    const { resource } = await exported('spread.yaml', text, { namespace: 'chaos' });
    assert.equal(resource.metadata.namespace, 'chaos');
    await assert.rejects(exported('spread.yaml', text, { cron: 'nightly' }), /--cron "nightly": expected a cron expression/);
  });
});
