// The recovery view from the cluster (PodWatch) against the stand-in API server: what a deleted
// pod, its replacement, an OOM kill and an eviction become in the run's events, and a watch that
// keeps going across a 410 Gone. Also the readiness probe (all pods Ready, as many as wanted).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DriverServiceEvent } from '../../src/faults/driver.js';
import { Cluster } from '../../src/drivers/kubernetes/cluster.js';
import { PodWatch } from '../../src/drivers/kubernetes/pod-watch.js';
import { kubernetesReadyProbe } from '../../src/probes/kubernetes-probe.js';
import { waitFor } from '../helpers/cli.js';
import { readyPods, startShop, type Shop } from './shop.js';

describe('pods watched for recovery (stand-in API server)', () => {
  let shop: Shop;
  let cluster: Cluster;
  const events: DriverServiceEvent[] = [];
  const logs: string[] = [];
  let watch: PodWatch;
  before(async () => {
    shop = await startShop();
    cluster = await Cluster.connect({ kubeconfig: shop.server.kubeconfigPath });
    watch = new PodWatch(cluster, { service: 'cart', namespace: 'shop', selector: { app: 'cart' }, onEvent: (e) => events.push(e), log: (m) => logs.push(m) });
    await watch.start();
  });
  after(async () => {
    watch.stop();
    await shop.close();
  });

  test('the pods already there are the starting point: no event for them', () => {
    assert.deepEqual(events, []);
  });

  test('a deleted pod ends when it is deleted, once; its replacement starts and becomes ready', async () => {
    const victim = readyPods(shop.server, 'cart')[0]!.metadata.name;
    await cluster.deletePod('shop', victim, 1);
    const replacement = await waitFor(() => events.find((e) => e.type === 'ready' && e.container !== victim), { what: 'a replacement Ready' });
    const gone = events.filter((e) => e.container === victim);
    assert.deepEqual(gone.map((e) => [e.type, e.signal]), [['exit', 'deleted']], 'one exit, at the deletion, not again when it is removed');
    assert.ok(events.some((e) => e.type === 'spawn' && e.container === replacement.container && e.restart === true));
    await waitFor(() => shop.server.get('pods', 'shop', victim) === undefined, { what: 'the old pod removed' });
    assert.equal(events.filter((e) => e.container === victim).length, 1);
    assert.ok(logs.some((l) => new RegExp(`kubernetes event: cart pod ${victim}: Killing`).test(l)), logs.join('\n'));
  });

  test('an OOM kill is an exit of the container, said as such (code 137, oom)', async () => {
    const pod = readyPods(shop.server, 'cart')[0]!.metadata.name;
    shop.server.oomKill('shop', pod);
    const e = await waitFor(() => events.find((x) => x.container === `${pod}/cart` && x.type === 'exit'), { what: 'the OOM exit' });
    assert.equal(e.code, 137);
    assert.equal(e.oom, true);
  });

  test('after a 410 Gone the watch lists again and goes on: a pod deleted then is still seen', async () => {
    shop.server.expireWatchHistory();
    // The stand-in ends open watches when its history is expired, as an API server restarting would.
    const victim = readyPods(shop.server, 'cart')[0]!.metadata.name;
    await waitFor(() => readyPods(shop.server, 'cart').length === 3, { what: '3 cart pods Ready' });
    await cluster.deletePod('shop', victim, 0);
    await waitFor(() => events.find((e) => e.container === victim && e.type === 'exit'), { what: `the exit of ${victim} after the 410`, timeoutMs: 15_000 });
  });

  test('an eviction is an exit with its reason', async () => {
    await waitFor(() => readyPods(shop.server, 'cart').length === 3, { what: '3 cart pods Ready' });
    const pod = readyPods(shop.server, 'cart')[0]!.metadata.name;
    shop.server.evict('shop', pod);
    const e = await waitFor(() => events.find((x) => x.container === pod && x.type === 'exit'), { what: 'the eviction' });
    assert.equal(e.signal, 'Evicted');
  });

  test('the readiness probe: all Ready and as many as the workload wants, else which are not', async () => {
    await waitFor(() => readyPods(shop.server, 'cart').length === 3, { what: '3 cart pods Ready' });
    const ok = await kubernetesReadyProbe({ namespace: 'shop', deployment: 'cart', kubeconfig: shop.server.kubeconfigPath }, { timeout: 5000 });
    assert.equal(ok.ok, true, ok.error);
    assert.equal(ok.stdout, '3/3 pods Ready (deployment cart)');
    await cluster.deletePod('shop', readyPods(shop.server, 'cart')[0]!.metadata.name, 0);
    const down = await waitFor(
      async () => {
        const r = await kubernetesReadyProbe({ namespace: 'shop', deployment: 'cart', kubeconfig: shop.server.kubeconfigPath }, { timeout: 5000 });
        return r.ok ? undefined : r;
      },
      { what: 'a failing probe' },
    );
    assert.match(down.error!, /^[0-2]\/3 pods Ready \(deployment cart\)/);
    const missing = await kubernetesReadyProbe({ namespace: 'shop', deployment: 'nope', kubeconfig: shop.server.kubeconfigPath }, { timeout: 5000 });
    assert.equal(missing.ok, false);
    assert.match(missing.error!, /reading deployment shop\/nope: .*not found/i);
    const scaledToZero = await kubernetesReadyProbe({ namespace: 'shop', selector: { app: 'none' }, kubeconfig: shop.server.kubeconfigPath }, { timeout: 5000 });
    assert.equal(scaledToZero.ok, false, 'no pods at all is not healthy');
  });
});
