// Kubernetes in system and experiment files, checked before anything runs: the namespace
// allow-list (kube-system never), a service's pods, the default health, and a fault name meaning
// its kubernetes kind (with that kind's parameters) on a kubernetes service.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { faultRegistry } from '../../src/drivers/index.js';
import { isValidationError, type ValidationIssue } from '../../src/errors/index.js';
import { loadExperiment } from '../../src/experiment/loader/load-experiment.js';
import { loadSystem } from '../../src/experiment/loader/load-system.js';
import { readdir } from 'node:fs/promises';
import { repoRoot, tempDir } from '../helpers/cli.js';

const kinds = faultRegistry();
const SYSTEM = `kubernetes:
  context: kind-shop
  namespaces: [shop]
services:
  cart:
    kubernetes: { namespace: shop, deployment: cart }
  web:
    kubernetes: { namespace: shop, selector: { app: web } }
  local:
    process: { command: "sleep 100" }
    health: { tcp: "127.0.0.1:1" }
`;

let dir: string;
let cleanup: () => Promise<void>;
before(async () => {
  ({ path: dir, cleanup } = await tempDir());
  await writeFile(join(dir, 'faultline.yaml'), SYSTEM);
});
after(() => cleanup());

async function write(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

async function issues(load: () => Promise<unknown>): Promise<ValidationIssue[]> {
  try {
    await load();
  } catch (err) {
    if (isValidationError(err)) return err.issues;
    throw err;
  }
  assert.fail('expected a validation error');
}

describe('kubernetes in the system file', () => {
  test('a kubernetes service without health is watched through the API: its pods all Ready', async () => {
    const loaded = await loadSystem(join(dir, 'faultline.yaml'), dir);
    assert.deepEqual(loaded.system.services.cart!.health, { kubernetes: { namespace: 'shop', deployment: 'cart', context: 'kind-shop' } });
    assert.deepEqual(loaded.system.services.web!.health, { kubernetes: { namespace: 'shop', selector: { app: 'web' }, context: 'kind-shop' } });
  });

  test('kube-system is never allowed, a namespace not listed is refused, and a kubernetes service needs the cluster block', async () => {
    const file = await write('bad-ns.yaml', 'kubernetes:\n  namespaces: [shop, kube-system]\nservices:\n  dns:\n    kubernetes: { namespace: kube-system, deployment: coredns }\n  cart:\n    kubernetes: { namespace: payments, selector: { app: cart } }\n');
    const found = await issues(() => loadSystem(file, dir));
    const byPath = new Map(found.map((i) => [i.path, i]));
    assert.match(byPath.get('kubernetes.namespaces[1]')!.message, /kube-system is never a target/);
    assert.equal(byPath.get('kubernetes.namespaces[1]')!.line, 2);
    assert.match(byPath.get('services.cart.kubernetes.namespace')!.message, /namespace payments is not in kubernetes\.namespaces \(shop, kube-system\): add it there/);
    const none = await write('no-cluster.yaml', 'services:\n  cart:\n    kubernetes: { namespace: shop, deployment: cart }\n');
    const [missing] = await issues(() => loadSystem(none, dir));
    assert.equal(missing!.path, 'services.cart.kubernetes.namespace');
    assert.match(missing!.message, /a kubernetes service needs the cluster block: kubernetes: \{ namespaces: \[shop\] \}/);
  });

  test('a service names its pods once: a selector or one workload, and never an empty selector', async () => {
    const file = await write('pods.yaml', 'kubernetes: { namespaces: [shop] }\nservices:\n  a:\n    kubernetes: { namespace: shop, deployment: a, statefulSet: a }\n  b:\n    kubernetes: { namespace: shop }\n  c:\n    kubernetes: { namespace: shop, selector: {} }\n  d:\n    kubernetes: { namespace: Shop_1, deployment: d }\n');
    const found = await issues(() => loadSystem(file, dir));
    const text = found.map((i) => `${i.path}: ${i.message}`).join('\n');
    assert.match(text, /services\.a\.kubernetes: expected one of selector, deployment, statefulSet or daemonSet, got deployment and statefulSet/);
    assert.match(text, /services\.b\.kubernetes: expected the pods: one of selector, deployment, statefulSet or daemonSet/);
    assert.match(text, /services\.c\.kubernetes\.selector: an empty selector would select every pod of the namespace/);
    assert.match(text, /services\.d\.kubernetes\.namespace: expected a Kubernetes name/);
  });
});

describe('fault steps on kubernetes services', () => {
  test('net-delay on a kubernetes service is the Chaos Mesh kind, with its parameters (mode, peer); on a process it is the linux kind', async () => {
    const ok = await write('k8s-delay.yaml', 'title: t\nmethod:\n  - { fault: net-delay, target: cart, delay: 100ms, mode: { fixed-percent: 50 }, peer: web, duration: 5s }\n');
    const loaded = await loadExperiment(ok, { kinds });
    const step = loaded.experiment.method[0] as { params: Record<string, unknown> };
    assert.deepEqual(step.params.mode, { 'fixed-percent': 50 });
    assert.equal(step.params.peer, 'web');
    const onProcess = await write('local-delay.yaml', 'title: t\nmethod:\n  - { fault: net-delay, target: local, delay: 100ms, mode: one, duration: 5s }\n');
    const [issue] = await issues(() => loadExperiment(onProcess, { kinds }));
    assert.equal(issue!.path, 'method[0].mode');
    assert.match(issue!.message, /unknown field "mode"/);
  });

  test('one step, one platform: a kind that differs per platform on a kubernetes and a local service is refused, with the fix', async () => {
    const file = await write('mixed.yaml', 'title: t\nmethod:\n  - { fault: cpu-stress, target: [cart, local], duration: 5s }\n');
    const found = await issues(() => loadExperiment(file, { kinds }));
    assert.ok(found.some((i) => i.path === 'method[0].target' && /cpu-stress on cart \(kubernetes\) is not the same fault as on local: split them into two steps/.test(i.message)), JSON.stringify(found));
  });

  test('kubernetes-only kinds need a kubernetes service, and the pod mode is checked', async () => {
    const file = await write('pods-on-local.yaml', 'title: t\nmethod:\n  - { fault: pod-delete, target: local }\n  - { fault: pod-kill, target: cart, mode: { fixed: 0 } }\n  - { fault: scale, target: cart, replicas: -1, duration: 5s }\n');
    const found = await issues(() => loadExperiment(file, { kinds }));
    const text = found.map((i) => `${i.path}: ${i.message}`).join('\n');
    assert.match(text, /method\[0\]\.target: service "local" is not a kubernetes service: kubernetes faults act on pods/);
    assert.match(text, /method\[1\]\.mode(\.fixed)?: .*(>=|at least) ?1/i);
    assert.match(text, /method\[2\]\.replicas: .*(>=|at least) ?0/i);
  });
});

test('every experiment in examples/kubernetes is valid against its system file', async () => {
  const dir = join(repoRoot, 'examples', 'kubernetes');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml') && f !== 'faultline.yaml');
  assert.ok(files.length >= 4, files.join(', '));
  for (const f of files) {
    const loaded = await loadExperiment(join(dir, f), { kinds });
    assert.ok(loaded.experiment.method.length > 0, f);
  }
});
