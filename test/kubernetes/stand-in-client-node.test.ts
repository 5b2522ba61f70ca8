/**
 * The stand-in driven by @kubernetes/client-node 1.4.0, the client faultline's driver uses:
 * kubeconfig loading, typed list/read/patch/eviction calls, the Watch class resuming from a
 * list's resourceVersion (with bookmarks) and getting 410 Expired once the history is gone,
 * Exec of `kill 1` restarting a container, and the objects it returns validating against the
 * published Kubernetes schemas.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, Exec, KubeConfig, PatchStrategy, setHeaderOptions, Watch, type V1Pod, type V1Status } from '@kubernetes/client-node';
import { startKubeApiServer, validateCoreObject, type KubeStandIn } from '../helpers/kube/index.js';
import { waitFor } from '../helpers/wait.js';

const isReady = (p: V1Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

const sink = (into: string[]): Writable =>
  new Writable({
    write(chunk: Buffer, _enc, cb) {
      into.push(chunk.toString('utf8'));
      cb();
    },
  });

describe('stand-in API server with @kubernetes/client-node', { timeout: 120_000 }, () => {
  let k: KubeStandIn;
  let kc: KubeConfig;
  let core: CoreV1Api;

  const readyPods = async (n: number): Promise<V1Pod[]> =>
    waitFor(
      async () => {
        const items = (await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=cart' })).items.filter((p) => !p.metadata?.deletionTimestamp);
        return items.length === n && items.every(isReady) ? items : undefined;
      },
      { what: `${n} Ready cart pods`, timeoutMs: 30_000 },
    );

  before(async () => {
    k = await startKubeApiServer({ bookmarkIntervalMs: 200 });
    kc = new KubeConfig();
    kc.loadFromFile(k.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
      namespace: 'shop',
      body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'cart' }, spec: { replicas: 2, selector: { matchLabels: { app: 'cart' } }, template: { metadata: { labels: { app: 'cart', tier: 'web' } }, spec: { containers: [{ name: 'cart', image: 'local/httpd:1' }, { name: 'sidecar', image: 'local/busybox:1' }] } } } },
    });
  });
  after(() => k?.close());

  it('loads the kubeconfig and lists pods by label selector; the objects validate against the Kubernetes schemas', async () => {
    assert.equal(kc.getCurrentContext(), 'stand-in');
    assert.equal(kc.getCurrentCluster()?.server, k.url);
    const pods = await readyPods(2);
    for (const sel of ['app=cart,tier in (web,api)', 'app==cart,tier!=db', 'tier,!missing', 'app notin (db)']) assert.equal((await core.listNamespacedPod({ namespace: 'shop', labelSelector: sel })).items.length, 2, sel);
    assert.equal((await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=cart,!tier' })).items.length, 0);
    const onNode = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${pods[0]!.spec!.nodeName},status.phase=Running` });
    assert.ok(onNode.items.some((p) => p.metadata?.name === pods[0]!.metadata?.name));
    for (const p of pods) validateCoreObject({ apiVersion: 'v1', kind: 'Pod', ...p });
    validateCoreObject(await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'cart', namespace: 'shop' }));
    assert.throws(() => validateCoreObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { containers: [{ image: 'x' }] } } as never), /v1 Pod "x" does not match the Kubernetes schema:\n {2}\/spec\/containers\/0 must have required property name/);
  });

  it('watches from a list resourceVersion: replays and streams the changes an eviction makes, with bookmarks', async () => {
    const list = await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=cart' });
    const victim = list.items[0]!.metadata!.name!;
    const seen: { type: string; name?: string; rv?: string }[] = [];
    const watch = await new Watch(kc).watch('/api/v1/namespaces/shop/pods', { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true, labelSelector: 'app=cart' }, (type, obj: V1Pod) => seen.push({ type, name: obj.metadata?.name, rv: obj.metadata?.resourceVersion }), () => {});
    try {
      await core.createNamespacedPodEviction({ name: victim, namespace: 'shop', body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: victim, namespace: 'shop' } } });
      await waitFor(() => seen.some((e) => e.type === 'DELETED' && e.name === victim) && seen.some((e) => e.type === 'ADDED' && e.name !== victim) && seen.some((e) => e.type === 'BOOKMARK'), { what: 'DELETED, ADDED and BOOKMARK events', timeoutMs: 30_000 });
      assert.ok(!seen.some((e) => e.type === 'ADDED' && e.name === victim), 'no synthetic ADDED for objects already listed');
      const rvs = seen.filter((e) => e.type !== 'BOOKMARK').map((e) => Number(e.rv));
      assert.deepEqual(rvs, [...rvs].sort((a, b) => a - b), 'events arrive in resourceVersion order');
      assert.ok(rvs.every((rv) => rv > Number(list.metadata?.resourceVersion)));
    } finally {
      watch.abort();
    }
    await readyPods(2);
  });

  it('answers a watch from an expired resourceVersion with an ERROR event carrying 410 Expired', async () => {
    const list = await core.listNamespacedPod({ namespace: 'shop' });
    k.expireWatchHistory();
    const events: { type: string; obj: V1Status }[] = [];
    const ended = new Promise<unknown>((resolve) => {
      void new Watch(kc).watch('/api/v1/namespaces/shop/pods', { resourceVersion: list.metadata?.resourceVersion }, (type, obj: V1Status) => events.push({ type, obj }), resolve);
    });
    assert.equal(await ended, null, 'the server ends the stream after the error');
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, 'ERROR');
    assert.deepEqual({ ...events[0]!.obj, message: undefined }, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: undefined, reason: 'Expired', code: 410 });
    assert.match(events[0]!.obj.message ?? '', /^too old resource version: \d+ \(\d+\)$/);
    // A fresh list gives a version the next watch can start from.
    const relist = await core.listNamespacedPod({ namespace: 'shop' });
    const fresh: string[] = [];
    const w = await new Watch(kc).watch('/api/v1/namespaces/shop/pods', { resourceVersion: relist.metadata?.resourceVersion }, (type) => fresh.push(type), () => {});
    try {
      k.oomKill('shop', relist.items.find((p) => p.metadata?.labels?.app === 'cart')!.metadata!.name!, 'sidecar');
      await waitFor(() => fresh.includes('MODIFIED'), { what: 'a MODIFIED event after the OOM kill' });
      assert.ok(!fresh.includes('ERROR'));
    } finally {
      w.abort();
    }
  });

  it('execs kill 1 through Exec: Success status, restartCount bumped, Ready again after readyDelayMs', async () => {
    const pod = (await readyPods(2))[0]!;
    const name = pod.metadata!.name!;
    const restartsBefore = pod.status!.containerStatuses!.find((c) => c.name === 'sidecar')!.restartCount;
    const status = await new Promise<V1Status>((resolve) => {
      void new Exec(kc).exec('shop', name, 'sidecar', ['sh', '-c', 'kill -9 1'], sink([]), sink([]), null, false, resolve);
    });
    assert.equal(status.status, 'Success');
    const after = await core.readNamespacedPod({ name, namespace: 'shop' });
    const cs = after.status!.containerStatuses!.find((c) => c.name === 'sidecar')!;
    assert.equal(cs.restartCount, restartsBefore + 1);
    assert.equal(cs.lastState?.terminated?.exitCode, 137);
    assert.equal(after.status!.containerStatuses!.find((c) => c.name === 'cart')!.restartCount, 0);
    assert.ok(!isReady(after));
    await readyPods(2);

    const stderr: string[] = [];
    const failure = await new Promise<V1Status>((resolve) => {
      void new Exec(kc).exec('shop', name, 'cart', ['cat', '/etc/hostname'], sink([]), sink(stderr), null, false, resolve);
    });
    assert.equal(failure.status, 'Failure');
    assert.equal(failure.reason, 'NonZeroExitCode');
    assert.equal(failure.details?.causes?.[0]?.message, '127');
    assert.match(stderr.join(''), /cat: command not found/);
  });

  it('patches with each patch type, refusing a stale resourceVersion with 409 Conflict', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    await apps.patchNamespacedDeployment({ name: 'cart', namespace: 'shop', body: { spec: { template: { spec: { containers: [{ name: 'cart', image: 'local/httpd:2' }] } } } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    let d = await apps.readNamespacedDeployment({ name: 'cart', namespace: 'shop' });
    assert.deepEqual(d.spec!.template.spec!.containers.map((c) => [c.name, c.image]), [['cart', 'local/httpd:2'], ['sidecar', 'local/busybox:1']], 'strategic merge merges containers by name');
    await apps.patchNamespacedDeployment({ name: 'cart', namespace: 'shop', body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
    await apps.patchNamespacedDeployment({ name: 'cart', namespace: 'shop', body: { metadata: { labels: { team: 'shop' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    d = await apps.readNamespacedDeployment({ name: 'cart', namespace: 'shop' });
    assert.equal(d.spec!.replicas, 3);
    assert.equal(d.metadata!.labels!.team, 'shop');
    assert.equal(d.metadata!.generation, 3, 'two spec changes, one metadata change');
    const stale = { ...d, metadata: { ...d.metadata, resourceVersion: '1' } };
    await assert.rejects(apps.replaceNamespacedDeployment({ name: 'cart', namespace: 'shop', body: stale }), (err: { code?: number; body?: string }) => err.code === 409 && /"reason":"Conflict"/.test(err.body ?? ''));
    await readyPods(3);
  });
});
