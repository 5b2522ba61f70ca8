/**
 * The stand-in's wire protocol and controllers over plain HTTP: paging, selectors in watches,
 * bookmarks, 410, subresources, deletion policies, StatefulSets, DaemonSets, kubelet events and
 * the test hooks (oomKill, evict, k6 operator CRD).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKubeApiServer, type KubeObject, type KubeStandIn } from '../helpers/kube/index.js';
import { waitFor } from '../helpers/wait.js';

type Answer = { status: number; body: KubeObject & Record<string, unknown> };

const ready = (p: KubeObject): boolean => p.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True') ?? false;

/** An open watch: the events so far, parsed line by line. */
async function openWatch(url: string): Promise<{ events: { type: string; object: KubeObject }[]; ended: Promise<void>; stop: () => void }> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json');
  const events: { type: string; object: KubeObject }[] = [];
  const ended = (async () => {
    let buffered = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += Buffer.from(chunk).toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buffered.slice(0, nl)) as { type: string; object: KubeObject });
          buffered = buffered.slice(nl + 1);
        }
      }
    } catch {
      /* aborted */
    }
  })();
  return { events, ended, stop: () => controller.abort() };
}

describe('stand-in API server protocol and controllers', { timeout: 120_000 }, () => {
  let k: KubeStandIn;
  const call = async (method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Answer> => {
    const res = await fetch(`${k.url}${path}`, { method, headers: body === undefined ? {} : { 'content-type': contentType }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  };
  const pods = (label: string): KubeObject[] => k.list('pods', 'shop').filter((p) => p.metadata.labels?.app === label && !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed');
  const readyCount = (label: string, n: number, what = `${n} Ready ${label} pods`) => waitFor(() => pods(label).length === n && pods(label).every(ready), { what, timeoutMs: 30_000 });
  const workload = (kind: string, name: string, replicas?: number): KubeObject => ({
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: 'shop' },
    spec: { ...(replicas === undefined ? {} : { replicas }), selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'local/busybox:1' }] } } },
  });

  before(async () => {
    k = await startKubeApiServer({ readyDelayMs: 150, bookmarkIntervalMs: 100, maxTerminatingMs: 300 });
  });
  after(() => k?.close());

  it('creates with generateName, uid, creationTimestamp and increasing resourceVersions; 405 and 404 as Status', async () => {
    const a = await call('POST', '/api/v1/namespaces/shop/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'cfg-' }, data: { a: '1' } });
    const b = await call('POST', '/api/v1/namespaces/shop/configmaps', { metadata: { generateName: 'cfg-' } });
    assert.equal(a.status, 201);
    assert.match(a.body.metadata.name, /^cfg-[a-z0-9]{5}$/);
    assert.match(a.body.metadata.uid!, /^[0-9a-f-]{36}$/);
    assert.match(a.body.metadata.creationTimestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Number(b.body.metadata.resourceVersion) > Number(a.body.metadata.resourceVersion));
    const post = await call('POST', `/api/v1/namespaces/shop/configmaps/${a.body.metadata.name}`, {});
    assert.deepEqual([post.status, post.body.kind, post.body.reason, post.body.code], [405, 'Status', 'MethodNotAllowed', 405]);
    const missingNs = await call('POST', '/api/v1/namespaces/nowhere/configmaps', { metadata: { name: 'x' } });
    assert.deepEqual([missingNs.status, missingNs.body.message], [404, 'namespaces "nowhere" not found']);
    const badPatch = await call('PATCH', `/api/v1/namespaces/shop/configmaps/${a.body.metadata.name}`, [{ op: 'test', path: '/data/a', value: '2' }], 'application/json-patch+json');
    assert.deepEqual([badPatch.status, badPatch.body.reason], [422, 'Invalid']);
  });

  it('pages cluster-wide lists with limit and continue, and deletes a collection by label', async () => {
    for (let i = 0; i < 5; i++) await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `page-${i}`, labels: { page: 'yes', n: String(i) } } });
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await call('GET', `/api/v1/configmaps?labelSelector=page%3Dyes&limit=2${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
      assert.equal(r.body.kind, 'ConfigMapList');
      names.push(...(r.body.items as KubeObject[]).map((o) => o.metadata.name));
      token = (r.body.metadata as { continue?: string }).continue;
      if (token) assert.equal((r.body.metadata as { remainingItemCount?: number }).remainingItemCount, 5 - names.length);
      pages++;
    } while (token);
    assert.deepEqual([pages, names], [3, ['page-0', 'page-1', 'page-2', 'page-3', 'page-4']]);
    const gone = await call('DELETE', '/api/v1/namespaces/default/configmaps?labelSelector=n%20in%20(1,3)');
    assert.deepEqual((gone.body.items as KubeObject[]).map((o) => o.metadata.name), ['page-1', 'page-3']);
    assert.deepEqual(k.list('configmaps', 'default').map((o) => o.metadata.name), ['page-0', 'page-2', 'page-4']);
  });

  it('keeps spec and status apart: the main resource ignores status, the status subresource everything else', async () => {
    k.apply(workload('Deployment', 'api', 1));
    const d = await waitFor(() => {
      const o = k.get('deployments', 'shop', 'api')!;
      return o.status?.availableReplicas === 1 ? o : undefined;
    }, { what: 'api available' });
    const put = await call('PUT', '/apis/apps/v1/namespaces/shop/deployments/api', { ...d, status: { replicas: 99 } });
    assert.equal(put.body.status.replicas, 1);
    const status = await call('PUT', '/apis/apps/v1/namespaces/shop/deployments/api/status', { ...put.body, spec: { ...put.body.spec, replicas: 5 }, status: { ...put.body.status, observedGeneration: 42 } });
    assert.deepEqual([status.body.spec.replicas, status.body.status.observedGeneration], [1, 42]);
    const stale = await call('PUT', '/apis/apps/v1/namespaces/shop/deployments/api/scale', { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'api', namespace: 'shop', resourceVersion: '1' }, spec: { replicas: 2 } });
    assert.deepEqual([stale.status, stale.body.reason], [409, 'Conflict']);
  });

  it('scales a Deployment down by removing its newest pods', async () => {
    await call('PATCH', '/apis/apps/v1/namespaces/shop/deployments/api/scale', { spec: { replicas: 3 } }, 'application/merge-patch+json');
    await readyCount('api', 3);
    const oldest = pods('api').sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))[0]!.metadata.name;
    const byAge = pods('api').sort((a, b) => (a.metadata.creationTimestamp! < b.metadata.creationTimestamp! ? -1 : 1)).map((p) => p.metadata.name);
    await call('PATCH', '/apis/apps/v1/namespaces/shop/deployments/api/scale', { spec: { replicas: 1 } }, 'application/merge-patch+json');
    await readyCount('api', 1);
    assert.ok([byAge[0], oldest].includes(pods('api')[0]!.metadata.name), 'the oldest pod is kept');
  });

  it('watches with a label selector: a pod relabelled out of it is DELETED for the watch; bookmarks carry only the version', async () => {
    const list = await call('GET', '/api/v1/namespaces/shop/pods?labelSelector=app%3Dapi');
    const rv = (list.body.metadata as { resourceVersion: string }).resourceVersion;
    const w = await openWatch(`${k.url}/api/v1/namespaces/shop/pods?watch=1&labelSelector=app%3Dapi&resourceVersion=${rv}&allowWatchBookmarks=true`);
    try {
      const pod = (list.body.items as KubeObject[]).find((p) => !p.metadata.deletionTimestamp)!;
      await call('PATCH', `/api/v1/namespaces/shop/pods/${pod.metadata.name}`, { metadata: { labels: { app: 'quarantined' } } }, 'application/merge-patch+json');
      await waitFor(() => w.events.some((e) => e.type === 'DELETED' && e.object.metadata.name === pod.metadata.name) && w.events.some((e) => e.type === 'ADDED'), { what: 'DELETED for the relabelled pod and ADDED for its replacement' });
      await waitFor(() => w.events.some((e) => e.type === 'BOOKMARK'), { what: 'a BOOKMARK' });
      const bookmark = w.events.find((e) => e.type === 'BOOKMARK')!.object;
      assert.deepEqual(Object.keys(bookmark).sort(), ['apiVersion', 'kind', 'metadata']);
      assert.deepEqual([bookmark.kind, bookmark.apiVersion, Object.keys(bookmark.metadata)], ['Pod', 'v1', ['resourceVersion']]);
    } finally {
      w.stop();
    }
    // Settled first (no pod terminating or starting), so the list below is what the watch starts from.
    await waitFor(() => k.list('pods', 'shop').every((p) => !p.metadata.deletionTimestamp && ready(p)), { what: 'no pod terminating or starting' });
    const current = k.list('pods', 'shop').map((p) => p.metadata.name);
    const timed = await openWatch(`${k.url}/api/v1/namespaces/shop/pods?watch=true&timeoutSeconds=1`);
    await timed.ended; // the server ends the stream at timeoutSeconds
    const synthetic = timed.events.slice(0, current.length);
    assert.deepEqual(synthetic.map((e) => e.type), current.map(() => 'ADDED'), 'no resourceVersion: a synthetic ADDED for each current pod first');
    assert.deepEqual(synthetic.map((e) => e.object.metadata.name), current);
  });

  it('sends one ERROR event with a 410 Expired Status for a version older than the history, then ends', async () => {
    const rv = (await call('GET', '/api/v1/namespaces/shop/pods')).body.metadata.resourceVersion;
    k.expireWatchHistory();
    const w = await openWatch(`${k.url}/api/v1/namespaces/shop/pods?watch=1&resourceVersion=${rv}`);
    await w.ended;
    assert.equal(w.events.length, 1);
    assert.equal(w.events[0]!.type, 'ERROR');
    assert.deepEqual({ ...w.events[0]!.object, message: '' }, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: '', reason: 'Expired', code: 410 });
  });

  it('keeps a bounded history (watchHistory): older versions get 410 without any hook; close() ends open watches', async () => {
    const small = await startKubeApiServer({ watchHistory: 3 });
    try {
      const first = Number((await fetch(`${small.url}/api/v1/namespaces/default/configmaps`).then((r) => r.json()) as KubeObject).metadata.resourceVersion);
      for (let i = 0; i < 5; i++) small.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, namespace: 'default' } });
      const old = await openWatch(`${small.url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${first}`);
      await old.ended;
      assert.deepEqual([old.events[0]?.type, old.events[0]?.object.code], ['ERROR', 410]);
      const recent = await openWatch(`${small.url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${first + 3}`);
      await waitFor(() => recent.events.length === 2, { what: 'the 2 kept events after the version' });
      assert.deepEqual(recent.events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'c3'], ['ADDED', 'c4']]);
      await small.close();
      await recent.ended;
    } finally {
      await small.close();
    }
  });

  it('deletes with Orphan (ReplicaSet kept) and Background (ReplicaSet and pods go) propagation', async () => {
    k.apply(workload('Deployment', 'orphan', 1));
    await readyCount('orphan', 1);
    const del = await call('DELETE', '/apis/apps/v1/namespaces/shop/deployments/orphan', { propagationPolicy: 'Orphan' });
    assert.deepEqual([del.body.kind, del.body.status, del.body.details.kind], ['Status', 'Success', 'deployments']);
    const rs = k.list('replicasets', 'shop').find((r) => r.metadata.name.startsWith('orphan-'))!;
    assert.deepEqual(rs.metadata.ownerReferences, []);
    await call('DELETE', `/apis/apps/v1/namespaces/shop/replicasets/${rs.metadata.name}?propagationPolicy=Background`);
    await waitFor(() => k.list('pods', 'shop').every((p) => p.metadata.labels?.app !== 'orphan'), { what: 'the orphaned ReplicaSet\'s pods to go' });
  });

  it('runs a StatefulSet: ordinal names, a deleted pod back under its name, readyReplicas', async () => {
    k.apply(workload('StatefulSet', 'db', 2));
    await readyCount('db', 2);
    assert.deepEqual(pods('db').map((p) => p.metadata.name).sort(), ['db-0', 'db-1']);
    const uid = k.get('pods', 'shop', 'db-0')!.metadata.uid;
    await call('DELETE', '/api/v1/namespaces/shop/pods/db-0?gracePeriodSeconds=1');
    await waitFor(() => {
      const p = k.get('pods', 'shop', 'db-0');
      return p && p.metadata.uid !== uid && ready(p);
    }, { what: 'db-0 recreated and Ready', timeoutMs: 30_000 });
    await waitFor(() => k.get('statefulsets', 'shop', 'db')!.status?.readyReplicas === 2, { what: 'readyReplicas 2' });
  });

  it('runs a DaemonSet: one Ready pod per node', async () => {
    k.apply(workload('DaemonSet', 'agent'));
    await readyCount('agent', 2);
    assert.deepEqual(pods('agent').map((p) => p.spec.nodeName).sort(), ['node-a', 'node-b']);
    await waitFor(() => {
      const s = k.get('daemonsets', 'shop', 'agent')!.status;
      return s?.numberReady === 2 && s.desiredNumberScheduled === 2;
    }, { what: 'numberReady 2 of desiredNumberScheduled 2' });
  });

  it('imitates the kubelet on OOM kills (restart, BackOff) and evictions (Failed, replaced)', async () => {
    const pod = pods('api')[0]!.metadata.name;
    k.oomKill('shop', pod);
    await waitFor(() => ready(k.get('pods', 'shop', pod)!), { what: `${pod} Ready again after the OOM kill` });
    k.oomKill('shop', pod);
    const cs = k.get('pods', 'shop', pod)!.status.containerStatuses[0];
    assert.deepEqual([cs.restartCount, cs.lastState.terminated.reason, cs.lastState.terminated.exitCode], [2, 'OOMKilled', 137]);
    const reasons = k.list('events', 'shop').filter((e) => e.involvedObject.name === pod).map((e) => `${e.type}/${e.reason}`);
    assert.ok(reasons.includes('Warning/BackOff') && reasons.includes('Normal/Started'), reasons.join(' '));
    await readyCount('api', 1);

    k.evict('shop', pod);
    const evicted = k.get('pods', 'shop', pod)!;
    assert.deepEqual([evicted.status.phase, evicted.status.reason], ['Failed', 'Evicted']);
    await readyCount('api', 1, 'a replacement for the evicted pod');
    assert.notEqual(pods('api')[0]!.metadata.name, pod);
    const rsEvents = k.list('events', 'shop').filter((e) => e.involvedObject.kind === 'ReplicaSet' && e.reason === 'SuccessfulCreate');
    assert.ok(rsEvents.length >= 1);
  });

  it('installs the k6 operator CRD and serves TestRuns', async () => {
    assert.equal((await call('GET', '/apis/k6.io/v1alpha1')).status, 404);
    k.installK6Operator();
    const list = await call('GET', '/apis/k6.io/v1alpha1');
    assert.deepEqual((list.body.resources as { name: string }[]).map((r) => r.name), ['testruns', 'testruns/status']);
    const created = await call('POST', '/apis/k6.io/v1alpha1/namespaces/shop/testruns', { apiVersion: 'k6.io/v1alpha1', kind: 'TestRun', metadata: { name: 'load' }, spec: { parallelism: 2, script: { configMap: { name: 'k6', file: 'test.js' } } } });
    assert.equal(created.status, 201);
    assert.equal(k.get('testruns', 'shop', 'load')!.spec.parallelism, 2);
  });
});
