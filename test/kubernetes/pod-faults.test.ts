// The kubernetes driver's core-API faults through the real CLI against the stand-in API server:
// what each one asks of the API, what the cluster looks like after, and what the journal says.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Journal } from '../../src/journal/types.js';
import { runCli, startCli, waitFor } from '../helpers/cli.js';
import { waitForOutput } from '../helpers/wait.js';
import { validateCoreObject } from '../helpers/kube/index.js';
import { readyPods, startShop, writeExperiment, type Shop } from './shop.js';

async function journalOf(shop: Shop, out: string): Promise<Journal> {
  return JSON.parse(await readFile(join(shop.dir, out, 'journal.json'), 'utf8')) as Journal;
}

async function run(shop: Shop, file: string, out: string, extra: string[] = []) {
  return runCli(['run', file, '--yes', '-r', out, ...extra], { cwd: shop.dir, env: shop.env, timeoutMs: 90_000 });
}

describe('kubernetes pod faults (stand-in API server)', () => {
  let shop: Shop;
  before(async () => {
    shop = await startShop();
  });
  after(() => shop.close());

  test('pod-delete takes one of cart\'s pods; the Deployment replaces it; the journal has the pod, its end, its replacement and the recovery', async () => {
    const before = readyPods(shop.server, 'cart').map((p) => p.metadata.name);
    const file = await writeExperiment(shop, 'delete.yaml', 'title: delete\nsystem: ./faultline.yaml\nmethod:\n  - { fault: pod-delete, target: cart, mode: one, gracePeriod: 1s }\n  - { wait: 1s }\nrecovery: { within: 20s, sustained: 2 }\n');
    const res = await run(shop, file, 'out-delete');
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const journal = await journalOf(shop, 'out-delete');
    const [fault] = journal.faults;
    assert.equal(fault!.kind, 'pod-delete');
    const deleted = (fault!.details as { pods: string[]; gracePeriodSeconds: number }).pods;
    assert.equal(deleted.length, 1);
    assert.ok(before.includes(deleted[0]!));
    assert.equal((fault!.details as { gracePeriodSeconds: number }).gracePeriodSeconds, 1);
    const del = shop.server.requests.find((r) => r.method === 'DELETE' && r.path === `/api/v1/namespaces/shop/pods/${deleted[0]}`);
    assert.ok(del, 'a DELETE of that pod');
    const now = await waitFor(() => (readyPods(shop.server, 'cart').length === 3 ? readyPods(shop.server, 'cart') : undefined), { what: '3 cart pods Ready' });
    assert.ok(!now.some((p) => p.metadata.name === deleted[0]), 'the deleted pod is gone');
    const cartEvents = journal.serviceEvents.filter((e) => e.service === 'cart');
    assert.ok(cartEvents.some((e) => e.type === 'exit' && e.container === deleted[0] && e.signal === 'deleted'), JSON.stringify(cartEvents));
    assert.ok(cartEvents.some((e) => e.type === 'spawn' && e.container !== undefined && !before.includes(e.container)), 'a replacement pod');
    const cart = journal.recovery.find((r) => r.service === 'cart')!;
    assert.equal(cart.impacted, true, 'one of three pods not Ready is an impact on the default health');
    assert.ok(cart.timeToRecoverMs !== null && cart.timeToRecoverMs < 20_000, JSON.stringify(cart));
    assert.match(res.stdout, /cart: cart-\S+ ended \(deleted\)/);
  });

  test('scale holds cart at 1 replica and restores 3; the ledger\'s undo is what restores it', async () => {
    const file = await writeExperiment(shop, 'scale.yaml', 'title: scale\nsystem: ./faultline.yaml\nmethod:\n  - { fault: scale, target: cart, replicas: 1, duration: 1500ms }\nrecovery: { within: 20s, sustained: 2 }\n');
    const from = shop.server.requests.length;
    const res = await run(shop, file, 'out-scale');
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const patches = shop.server.requests.slice(from).filter((r) => r.method === 'PATCH' && r.path === '/apis/apps/v1/namespaces/shop/deployments/cart/scale');
    assert.deepEqual(
      patches.map((p) => (p.body as { spec: { replicas: number } }).spec.replicas),
      [1, 3],
    );
    assert.equal(patches[0]!.contentType, 'application/merge-patch+json');
    assert.equal(shop.server.get('deployments', 'shop', 'cart')!.spec.replicas, 3);
    // What the patches made is still a valid Deployment (kubernetes-models: the published OpenAPI schemas).
    validateCoreObject(shop.server.get('deployments', 'shop', 'cart')!);
    const journal = await journalOf(shop, 'out-scale');
    assert.deepEqual(journal.faults[0]!.details, { deployment: 'cart', from: 3, to: 1 });
    assert.equal(journal.faults[0]!.status, 'reverted');
    await waitFor(() => readyPods(shop.server, 'cart').length === 3, { what: 'cart back to 3 Ready pods' });
  });

  test('rollout-restart replaces every web pod, as kubectl rollout restart does', async () => {
    const before = readyPods(shop.server, 'web').map((p) => p.metadata.name);
    const file = await writeExperiment(shop, 'restart.yaml', 'title: restart\nsystem: ./faultline.yaml\nmethod:\n  - { fault: rollout-restart, target: web }\nrecovery: { within: 20s, sustained: 2 }\n');
    const res = await run(shop, file, 'out-restart');
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const annotations = shop.server.get('deployments', 'shop', 'web')!.spec.template.metadata.annotations as Record<string, string>;
    assert.match(annotations['kubectl.kubernetes.io/restartedAt']!, /^\d{4}-\d\d-\d\dT/);
    validateCoreObject(shop.server.get('deployments', 'shop', 'web')!);
    const after = await waitFor(
      () => {
        const names = readyPods(shop.server, 'web').map((p) => p.metadata.name);
        return names.length === 2 && names.every((n) => !before.includes(n)) ? names : undefined;
      },
      { what: 'two new web pods Ready', timeoutMs: 20_000 },
    );
    assert.equal(after.length, 2);
  });

  test('container-kill signals PID 1 through pods/exec; the kubelet restarts the container', async () => {
    const restarts = () => readyPods(shop.server, 'cart').map((p) => ((p.status.containerStatuses ?? []) as { restartCount: number }[])[0]?.restartCount ?? 0).reduce((a, b) => a + b, 0);
    const before = restarts();
    const file = await writeExperiment(shop, 'ckill.yaml', 'title: ckill\nsystem: ./faultline.yaml\nmethod:\n  - { fault: container-kill, target: cart }\n  - { wait: 1s }\nrecovery: { within: 20s, sustained: 2 }\n');
    const res = await run(shop, file, 'out-ckill');
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const journal = await journalOf(shop, 'out-ckill');
    const details = journal.faults[0]!.details as { containers: string[]; signal: string };
    assert.equal(details.signal, 'SIGTERM');
    assert.match(details.containers[0]!, /^cart-\S+\/cart$/);
    assert.ok(shop.server.requests.some((r) => r.path.endsWith('/exec') && r.path.includes(details.containers[0]!.split('/')[0]!)), 'an exec request to that pod');
    await waitFor(() => restarts() === before + 1 && readyPods(shop.server, 'cart').length === 3, { what: 'one container restart, all Ready' });
    assert.ok(journal.serviceEvents.some((e) => e.service === 'cart' && e.type === 'exit' && e.container === details.containers[0] && e.code === 143), JSON.stringify(journal.serviceEvents));
  });

  test('the blast radius counts pods: mode all on cart is 3 pods, over maxTargets 2, and nothing is deleted', async () => {
    const file = await writeExperiment(shop, 'all.yaml', 'title: all\nsystem: ./faultline.yaml\nmethod:\n  - { fault: pod-delete, target: cart, mode: all }\nguardrails: { maxTargets: 2 }\n');
    const from = shop.server.requests.length;
    const res = await run(shop, file, 'out-all');
    assert.equal(res.code, 3, res.stdout + res.stderr);
    assert.match(res.stdout, /blast radius: the method could touch 3 targets, more than guardrails\.maxTargets \(2\): cart \(3 pods of deployment cart in shop, context stand-in \(http:\/\/127\.0\.0\.1:\d+\)\): 3 pods/);
    assert.equal(shop.server.requests.slice(from).filter((r) => r.method === 'DELETE').length, 0);
  });

  test('quick commands: `faultline kill cart` deletes one pod at once (pod-kill) and times the recovery; pause has no pod form', async () => {
    const from = shop.server.requests.length;
    const res = await runCli(['kill', 'cart', '--yes', '--json'], { cwd: shop.dir, env: shop.env, timeoutMs: 60_000 });
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const result = JSON.parse(res.stdout) as { kind: string; service: string; timeToImpactMs: number | null; timeToRecoverMs: number | null; restarts: number };
    assert.equal(result.service, 'cart');
    // One pod of three: the probes see cart impacted only if one lands while the pod is gone (the
    // stand-in has its replacement Ready in ~0.3 s; on a busy machine they can miss it). Either way
    // the replacement is seen, and an impact that was seen has its time to recover.
    assert.ok(result.restarts >= 1, `the replacement pod was seen: ${res.stdout}`);
    if (result.timeToImpactMs !== null) assert.ok(result.timeToRecoverMs !== null, res.stdout);
    const deletes = shop.server.requests.slice(from).filter((r) => r.method === 'DELETE' && r.path.startsWith('/api/v1/namespaces/shop/pods/cart-'));
    assert.equal(deletes.length, 1);
    assert.equal(deletes[0]!.query.gracePeriodSeconds, '0');
    const pause = await runCli(['pause', 'cart', '--for', '2s', '--yes'], { cwd: shop.dir, env: shop.env });
    assert.equal(pause.code, 2);
    assert.match(pause.stderr, /cart is a kubernetes service: there is no pause for pods through the API/);
    await waitFor(() => readyPods(shop.server, 'cart').length === 3, { what: 'cart back to 3 Ready pods' });
  });

  test('a run asks before touching a cluster: without --yes and a terminal it refuses, naming the context and server', async () => {
    const file = await writeExperiment(shop, 'ask.yaml', 'title: ask\nsystem: ./faultline.yaml\nmethod:\n  - { fault: pod-kill, target: redis }\n');
    const from = shop.server.requests.length;
    const res = await runCli(['run', file, '-r', 'out-ask'], { cwd: shop.dir, env: shop.env });
    assert.equal(res.code, 3, res.stdout + res.stderr);
    assert.match(res.stderr, /this run targets systems beyond this machine:\n {2}- redis \(1 pod of statefulSet redis in shop, context stand-in \(http:\/\/127\.0\.0\.1:\d+\)\)/);
    assert.equal(shop.server.requests.slice(from).filter((r) => r.method === 'DELETE').length, 0);
  });

  // Last: it deletes redis for good.
  test('a workload deleted while scaled down: the revert has nothing to restore, says so, and is not a failed revert', async () => {
    const file = await writeExperiment(shop, 'scale-gone.yaml', 'title: scale gone\nsystem: ./faultline.yaml\nmethod:\n  - { fault: scale, target: redis, replicas: 0, duration: 30s }\nrecovery: { within: 3s, sustained: 2 }\n');
    const cli = startCli(['run', file, '--yes', '-r', 'out-scale-gone'], { cwd: shop.dir, env: shop.env, timeoutMs: 90_000 });
    await waitForOutput(cli.output, /inject scale → redis/, { timeoutMs: 30_000 });
    const deleted = await fetch(`${shop.server.url}/apis/apps/v1/namespaces/shop/statefulsets/redis`, { method: 'DELETE' });
    assert.equal(deleted.status, 200);
    cli.child.kill('SIGINT');
    const res = await cli.done;
    assert.equal(res.code, 3, res.stdout + res.stderr);
    assert.match(res.stdout + res.stderr, /statefulSet shop\/redis no longer exists: nothing to scale back/);
    const journal = await journalOf(shop, 'out-scale-gone');
    assert.equal(journal.faults[0]!.status, 'reverted');
    const recover = await runCli(['recover'], { cwd: shop.dir, env: shop.env });
    assert.match(recover.stdout, /nothing to recover/);
  });
});
