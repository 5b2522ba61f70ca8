/**
 * The stand-in API server driven by the real kubectl: discovery, apply, wait, rollout, scale,
 * restart, delete, watch, exec and errors behave as kubectl expects from a real cluster.
 * kubectl apply validates as against a real 1.27+ server: it finds the fieldValidation parameter
 * in /openapi/v3 and leaves validation to the server (fieldValidation=Strict).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKubeApiServer, type KubeStandIn } from '../helpers/kube/index.js';
import { jsonStream, kubectl, kubectlMissing, kubectlOk, kubectlStream } from '../helpers/kube/kubectl.js';
import { waitFor } from '../helpers/wait.js';

const skip = kubectlMissing();

const deployment = (replicas: number): string => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  namespace: shop
  labels: { app: cart }
spec:
  replicas: ${replicas}
  selector:
    matchLabels: { app: cart }
  template:
    metadata:
      labels: { app: cart }
    spec:
      containers:
        - name: cart
          image: local/httpd:1
          ports: [{ containerPort: 80 }]
`;

type PodJson = { metadata: { name: string; deletionTimestamp?: string; labels: Record<string, string>; ownerReferences: { kind: string }[] }; status: { phase: string; conditions?: { type: string; status: string }[]; containerStatuses?: { restartCount: number; lastState?: { terminated?: { exitCode: number; reason: string } } }[] } };

const ready = (p: PodJson): boolean => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

describe('stand-in API server with kubectl', { skip, timeout: 180_000 }, () => {
  let k: KubeStandIn;
  const pods = async (): Promise<PodJson[]> => (JSON.parse(await kubectlOk(k, ['get', 'pods', '-n', 'shop', '-l', 'app=cart', '-o', 'json'])) as { items: PodJson[] }).items;
  const livePods = async (): Promise<PodJson[]> => (await pods()).filter((p) => !p.metadata.deletionTimestamp);

  before(async () => {
    k = await startKubeApiServer();
  });
  after(() => k?.close());

  it('answers discovery: api-resources lists core, apps, policy and CRD resources with short names', async () => {
    const out = await kubectlOk(k, ['api-resources']);
    for (const line of [/^pods\s+po\s+v1\s+true\s+Pod$/m, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m, /^customresourcedefinitions\s+crd,crds\s+apiextensions\.k8s\.io\/v1\s+false\s+CustomResourceDefinition$/m, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m])
      assert.match(out, line);
    const apps = JSON.parse(await kubectlOk(k, ['get', '--raw', '/apis/apps/v1'])) as { resources: { name: string; kind: string; group?: string }[] };
    assert.deepEqual(apps.resources.find((r) => r.name === 'deployments/scale'), { name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    const core = JSON.parse(await kubectlOk(k, ['get', '--raw', '/api/v1'])) as { resources: { name: string; kind: string }[] };
    assert.equal(core.resources.find((r) => r.name === 'pods/eviction')?.kind, 'Eviction');
    assert.equal((JSON.parse(await kubectlOk(k, ['version', '-o', 'json'])) as { serverVersion: { minor: string } }).serverVersion.minor, '32');
  });

  it('applies a Deployment whose pods become Ready; get -l returns them as JSON', async () => {
    assert.match(await kubectlOk(k, ['apply', '-f', '-'], deployment(2)), /deployment\.apps\/cart created/);
    assert.equal(k.requests.find((r) => r.method === 'POST' && r.path === '/apis/apps/v1/namespaces/shop/deployments')?.query.fieldValidation, 'Strict');
    assert.match(await kubectlOk(k, ['apply', '-f', '-'], deployment(2)), /deployment\.apps\/cart unchanged/);
    await kubectlOk(k, ['wait', '--for=condition=Ready', 'pod', '-l', 'app=cart', '-n', 'shop', '--timeout=20s']);
    assert.match(await kubectlOk(k, ['rollout', 'status', 'deployment/cart', '-n', 'shop', '--timeout=20s']), /successfully rolled out/);
    // Human-readable get: the server prints a Table, as a real one does.
    const table = await kubectlOk(k, ['get', 'pods', '-n', 'shop', '-l', 'app=cart', '-o', 'wide']);
    assert.match(table, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\n/);
    assert.equal(table.trim().split('\n').slice(1).filter((line) => /^cart-\S+\s+1\/1\s+Running\s+0\s+\d+s\s+10\.244\.\d+\.\d+\s+node-[ab]$/.test(line)).length, 2, table);
    assert.match(await kubectlOk(k, ['get', 'deployment', 'cart', '-n', 'shop']), /^cart\s+2\/2\s+2\s+2\s+\d+s$/m);
    const list = await pods();
    assert.equal(list.length, 2);
    for (const p of list) {
      assert.match(p.metadata.name, /^cart-[a-z0-9]+-[a-z0-9]{5}$/);
      assert.ok(p.metadata.labels['pod-template-hash']);
      assert.equal(p.metadata.ownerReferences[0]?.kind, 'ReplicaSet');
      assert.equal(p.status.phase, 'Running');
      assert.ok(ready(p));
    }
  });

  it('scales to 3 and rolls out 3 Ready pods', async () => {
    assert.match(await kubectlOk(k, ['scale', 'deployment', 'cart', '-n', 'shop', '--replicas=3']), /scaled/);
    await kubectlOk(k, ['rollout', 'status', 'deployment/cart', '-n', 'shop', '--timeout=30s']);
    const list = await livePods();
    assert.equal(list.length, 3);
    assert.ok(list.every(ready));
    const scale = JSON.parse(await kubectlOk(k, ['get', '--raw', '/apis/apps/v1/namespaces/shop/deployments/cart/scale'])) as { kind: string; spec: { replicas: number }; status: { replicas: number; selector: string } };
    assert.deepEqual([scale.kind, scale.spec.replicas, scale.status.replicas, scale.status.selector], ['Scale', 3, 3, 'app=cart']);
  });

  it('rollout restart replaces every pod, keeping 3 Ready throughout the rollout', async () => {
    const before = new Set((await livePods()).map((p) => p.metadata.name));
    await kubectlOk(k, ['rollout', 'restart', 'deployment/cart', '-n', 'shop']);
    const patch = k.requests.find((r) => r.method === 'PATCH' && r.path === '/apis/apps/v1/namespaces/shop/deployments/cart');
    assert.equal(patch?.contentType, 'application/strategic-merge-patch+json');
    await kubectlOk(k, ['rollout', 'status', 'deployment/cart', '-n', 'shop', '--timeout=60s']);
    const after = await waitFor(async () => {
      const live = await livePods();
      return live.length === 3 && live.every(ready) ? live : undefined;
    }, { what: '3 Ready pods after the restart', timeoutMs: 30_000 });
    for (const p of after) assert.ok(!before.has(p.metadata.name), `${p.metadata.name} was there before the restart`);
    assert.equal(new Set(after.map((p) => p.metadata.labels['pod-template-hash'])).size, 1);
    // maxUnavailable 0 for 3 replicas (25% rounds down): the Deployment never had fewer than 3 available.
    const rsList = JSON.parse(await kubectlOk(k, ['get', 'rs', '-n', 'shop', '-o', 'json'])) as { items: { spec: { replicas: number } }[] };
    assert.deepEqual(rsList.items.map((rs) => rs.spec.replicas).sort(), [0, 3]);
  });

  it('deletes a pod gracefully and its replacement becomes Ready under a new name', async () => {
    const victim = (await livePods())[0]!.metadata.name;
    assert.match(await kubectlOk(k, ['delete', 'pod', victim, '-n', 'shop']), new RegExp(`pod "${victim}" deleted`));
    const live = await waitFor(async () => {
      const l = await livePods();
      return l.length === 3 && l.every(ready) ? l : undefined;
    }, { what: '3 Ready pods after the delete', timeoutMs: 30_000 });
    assert.ok(!live.some((p) => p.metadata.name === victim));
    const events = JSON.parse(await kubectlOk(k, ['get', 'events', '-n', 'shop', '--field-selector', `involvedObject.name=${victim}`, '-o', 'json'])) as { items: { reason: string }[] };
    assert.deepEqual([...new Set(events.items.map((e) => e.reason))].sort(), ['Created', 'Killing', 'Pulled', 'Scheduled', 'Started']);
  });

  it('streams a watch: current pods as objects, then the changes a delete makes', async () => {
    const watch = kubectlStream(k, ['get', 'pods', '-n', 'shop', '-l', 'app=cart', '--watch', '-o', 'json']);
    try {
      await waitFor(() => jsonStream(watch.output()).length >= 3, { what: 'the 3 current pods from kubectl --watch', timeoutMs: 30_000 });
      const victim = k.list('pods', 'shop').find((p) => !p.metadata.deletionTimestamp)!.metadata.name;
      await kubectlOk(k, ['delete', 'pod', victim, '-n', 'shop', '--wait=false']);
      const seen = await waitFor(() => {
        const objs = jsonStream(watch.output()) as unknown as PodJson[];
        return objs.some((o) => o.metadata.name === victim && o.metadata.deletionTimestamp) && objs.some((o) => o.metadata.name !== victim && !objs.slice(0, 3).some((f) => f.metadata.name === o.metadata.name)) ? objs : undefined;
      }, { what: 'the terminating pod and its replacement in kubectl --watch', timeoutMs: 30_000 });
      assert.ok(seen.length > 3);
      const watchRequest = k.requests.find((r) => r.query.watch === 'true' || r.query.watch === '1');
      assert.ok(watchRequest?.query.resourceVersion, 'kubectl watches from the list resourceVersion');
    } finally {
      watch.stop();
    }
  });

  it('execs kill 1 in a container: the container restarts with exit 143; other commands exit 127', async () => {
    const pod = await waitFor(async () => (await livePods()).find(ready), { what: 'a Ready pod', timeoutMs: 30_000 });
    const r = await kubectl(k, ['exec', '-n', 'shop', pod.metadata.name, '--', 'kill', '1']);
    assert.equal(r.code, 0, r.stderr);
    const after = JSON.parse(await kubectlOk(k, ['get', 'pod', '-n', 'shop', pod.metadata.name, '-o', 'json'])) as PodJson;
    assert.equal(after.status.containerStatuses?.[0]?.restartCount, 1);
    assert.deepEqual([after.status.containerStatuses?.[0]?.lastState?.terminated?.exitCode, after.status.containerStatuses?.[0]?.lastState?.terminated?.reason], [143, 'Error']);
    // (Not Ready in between for readyDelayMs: too short a window to assert on a busy machine; the
    // restart count and last state above are the restart.)
    await kubectlOk(k, ['wait', '--for=condition=Ready', `pod/${pod.metadata.name}`, '-n', 'shop', '--timeout=20s']);
    const other = await kubectl(k, ['exec', '-n', 'shop', pod.metadata.name, '--', 'ls', '/']);
    assert.equal(other.code, 127);
    assert.match(other.stderr, /command terminated with exit code 127/);
  });

  it('rolls out restarts of a StatefulSet (same names, new pods) and a DaemonSet (one per node)', async () => {
    const workloads = ['StatefulSet', 'DaemonSet'].map((kind) => `
apiVersion: apps/v1
kind: ${kind}
metadata: { name: ${kind.toLowerCase()}, namespace: shop }
spec:
  ${kind === 'StatefulSet' ? 'replicas: 2\n  serviceName: statefulset' : ''}
  selector: { matchLabels: { app: ${kind.toLowerCase()} } }
  template:
    metadata: { labels: { app: ${kind.toLowerCase()} } }
    spec: { containers: [{ name: main, image: local/busybox:1 }] }
`);
    await kubectlOk(k, ['apply', '-f', '-'], workloads.join('---\n'));
    for (const w of ['statefulset', 'daemonset']) await kubectlOk(k, ['rollout', 'status', `${w}/${w}`, '-n', 'shop', '--timeout=30s']);
    const uids = (app: string) => k.list('pods', 'shop').filter((p) => p.metadata.labels?.app === app && !p.metadata.deletionTimestamp).map((p) => `${p.metadata.name}/${p.metadata.uid}`);
    const before = { sts: uids('statefulset'), ds: uids('daemonset') };
    assert.deepEqual(before.sts.map((u) => u.split('/')[0]).sort(), ['statefulset-0', 'statefulset-1']);
    assert.deepEqual(k.list('pods', 'shop').filter((p) => p.metadata.labels?.app === 'daemonset').map((p) => p.spec.nodeName).sort(), ['node-a', 'node-b']);
    for (const w of ['statefulset', 'daemonset']) {
      await kubectlOk(k, ['rollout', 'restart', `${w}/${w}`, '-n', 'shop']);
      assert.match(await kubectlOk(k, ['rollout', 'status', `${w}/${w}`, '-n', 'shop', '--timeout=60s']), w === 'statefulset' ? /partitioned roll out complete: 2 new pods have been updated/ : /daemon set "daemonset" successfully rolled out/);
    }
    const after = { sts: uids('statefulset'), ds: uids('daemonset') };
    assert.deepEqual(after.sts.map((u) => u.split('/')[0]).sort(), ['statefulset-0', 'statefulset-1']);
    for (const u of [...after.sts, ...after.ds]) assert.ok(!before.sts.includes(u) && !before.ds.includes(u), `${u} is a new pod`);
    assert.equal(after.ds.length, 2);
  });

  it('reports errors as a real server does: NotFound, AlreadyExists, Invalid, bad selectors', async () => {
    const missing = await kubectl(k, ['get', 'pod', 'nope', '-n', 'shop']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Error from server \(NotFound\): pods "nope" not found/);
    const dup = await kubectl(k, ['create', '-f', '-'], deployment(1));
    assert.match(dup.stderr, /Error from server \(AlreadyExists\): .*deployments\.apps "cart" already exists/);
    const badName = await kubectl(k, ['create', '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: Not_Valid\n');
    assert.match(badName.stderr, /^The Namespace "Not_Valid" is invalid: metadata\.name: Invalid value: "Not_Valid"/);
    const conflict = await kubectl(k, ['replace', '-f', '-'], JSON.stringify({ ...k.get('deployments', 'shop', 'cart'), metadata: { ...k.get('deployments', 'shop', 'cart')!.metadata, resourceVersion: '1' } }));
    assert.match(conflict.stderr, /Error from server \(Conflict\): .*Operation cannot be fulfilled on deployments\.apps "cart": the object has been modified/);
    const badField = await kubectl(k, ['get', 'pods', '-n', 'shop', '--field-selector', 'spec.image=x']);
    assert.match(badField.stderr, /field label not supported: spec\.image/);
    const noNs = await kubectl(k, ['get', 'pods', '-n', 'nowhere', '-o', 'json']);
    assert.equal(noNs.code, 0, 'listing in a missing namespace is an empty list, as on a real server');
  });
});
