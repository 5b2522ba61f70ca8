/**
 * The stand-in's Chaos Mesh, driven by kubectl: its real CRDs installed and listed, upstream
 * example manifests applied (namespace and selector changed) and reported injected and then
 * recovered through status conditions, mis-typed and webhook-invalid objects refused, pod-kill
 * replacing a pod, and the failure and no-selection paths. Needs ../shared/k8s/chaos-mesh.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { chaosMeshDir, startKubeApiServer, type KubeObject, type KubeStandIn } from '../helpers/kube/index.js';
import { kubectl, kubectlMissing, kubectlOk } from '../helpers/kube/kubectl.js';
import { waitFor } from '../helpers/wait.js';

const skip = kubectlMissing() ?? (chaosMeshDir ? undefined : 'needs ../shared/k8s/chaos-mesh beside the repository (Chaos Mesh CRDs, schemas and examples)');

/** An upstream example, moved into namespace shop and aimed at the cart pods. */
function example(file: string, changes: (o: KubeObject) => void = () => {}): KubeObject {
  const o = parse(readFileSync(join(chaosMeshDir!, 'examples', file), 'utf8')) as KubeObject;
  o.metadata.namespace = 'shop';
  o.spec.selector = { labelSelectors: { app: 'cart' } };
  changes(o);
  return o;
}

type ChaosStatus = { conditions: { type: string; status: string }[]; experiment: { desiredPhase: string; containerRecords?: { id: string; phase: string; selectorKey: string; injectedCount: number; recoveredCount: number; events: { type: string; operation: string; message?: string }[] }[] } };

describe('stand-in Chaos Mesh with kubectl', { skip, timeout: 180_000 }, () => {
  let k: KubeStandIn;
  const status = async (kind: string, name: string): Promise<ChaosStatus> => (JSON.parse(await kubectlOk(k, ['get', kind, name, '-n', 'shop', '-o', 'json'])) as { status: ChaosStatus }).status;
  const cartPods = () => k.list('pods', 'shop').filter((p) => p.metadata.labels?.app === 'cart' && !p.metadata.deletionTimestamp);

  before(async () => {
    k = await startKubeApiServer({ chaosMesh: true });
    k.apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'cart', namespace: 'shop' }, spec: { replicas: 2, selector: { matchLabels: { app: 'cart' } }, template: { metadata: { labels: { app: 'cart' } }, spec: { containers: [{ name: 'cart', image: 'local/httpd:1' }] } } } });
    await kubectlOk(k, ['rollout', 'status', 'deployment/cart', '-n', 'shop', '--timeout=30s']);
  });
  after(() => k?.close());

  it('lists the installed Chaos Mesh CRDs with their group, names and versions', async () => {
    const names = (await kubectlOk(k, ['get', 'crd', '-o', 'name'])).trim().split('\n').sort();
    assert.deepEqual(names, ['dnschaos', 'httpchaos', 'iochaos', 'networkchaos', 'podchaos', 'schedules', 'stresschaos', 'timechaos', 'workflows'].map((n) => `customresourcedefinition.apiextensions.k8s.io/${n}.chaos-mesh.org`));
    const crd = JSON.parse(await kubectlOk(k, ['get', 'crd', 'networkchaos.chaos-mesh.org', '-o', 'json'])) as KubeObject;
    assert.equal(crd.spec.group, 'chaos-mesh.org');
    assert.equal(crd.spec.names.kind, 'NetworkChaos');
    assert.deepEqual(crd.spec.versions.map((v: { name: string; served: boolean }) => [v.name, v.served]), [['v1alpha1', true]]);
    assert.ok(crd.status.conditions.some((c: { type: string; status: string }) => c.type === 'Established' && c.status === 'True'));
    assert.match(await kubectlOk(k, ['api-resources', '--api-group=chaos-mesh.org']), /^networkchaos\s+chaos-mesh\.org\/v1alpha1\s+true\s+NetworkChaos$/m);
  });

  it('injects an upstream NetworkChaos example (kubectl wait AllInjected), then recovers it when its duration ends', async () => {
    const manifest = example('network-delay-example.yaml', (o) => (o.spec.duration = '2s'));
    assert.match(await kubectlOk(k, ['apply', '-f', '-'], stringify(manifest)), /networkchaos\.chaos-mesh\.org\/network-delay-example created/);
    await kubectlOk(k, ['wait', '--for=condition=AllInjected', 'networkchaos/network-delay-example', '-n', 'shop', '--timeout=20s']);
    const injected = await status('networkchaos', 'network-delay-example');
    assert.equal(injected.experiment.desiredPhase, 'Run');
    const records = injected.experiment.containerRecords ?? [];
    assert.equal(records.length, 1, 'mode one selects one pod');
    assert.ok(cartPods().some((p) => `shop/${p.metadata.name}` === records[0]!.id), `${records[0]!.id} is a cart pod`);
    assert.deepEqual([records[0]!.phase, records[0]!.selectorKey, records[0]!.injectedCount, records[0]!.events[0]!.type, records[0]!.events[0]!.operation], ['Injected', '.', 1, 'Succeeded', 'Apply']);
    assert.deepEqual(k.activeChaos().map((o) => o.metadata.name), ['network-delay-example']);

    await kubectlOk(k, ['wait', '--for=condition=AllRecovered', 'networkchaos/network-delay-example', '-n', 'shop', '--timeout=20s']);
    const recovered = await status('networkchaos', 'network-delay-example');
    assert.equal(recovered.experiment.desiredPhase, 'Stop');
    assert.deepEqual([recovered.experiment.containerRecords![0]!.phase, recovered.experiment.containerRecords![0]!.recoveredCount], ['Not Injected', 1]);
    assert.equal(recovered.conditions.find((c) => c.type === 'AllInjected')?.status, 'False');
    assert.deepEqual(k.activeChaos(), []);
    await kubectlOk(k, ['delete', 'networkchaos', 'network-delay-example', '-n', 'shop']);
  });

  it('refuses a mis-typed field (spec.dealy) and webhook-only mistakes, creating nothing', async () => {
    const typo = example('network-delay-example.yaml', (o) => {
      o.metadata.name = 'typo';
      o.spec.dealy = o.spec.delay;
      delete o.spec.delay;
    });
    // kubectl sends fieldValidation=Strict: the real server's strict decoding error.
    const r = await kubectl(k, ['apply', '-f', '-'], stringify(typo));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error from server \(BadRequest\): error when creating "STDIN": NetworkChaos in version "v1alpha1" cannot be handled as a NetworkChaos: strict decoding error: unknown field "spec\.dealy"/);
    // Without it a real server would drop the field with a warning; the stand-in refuses it.
    const lax = await kubectl(k, ['apply', '--validate=false', '-f', '-'], stringify(typo));
    assert.match(lax.stderr, /The NetworkChaos "typo" is invalid: spec\.dealy: Invalid value: "field not declared in schema"/);
    const percent = example('network-loss-example.yaml', (o) => {
      o.metadata.name = 'too-many';
      o.spec.mode = 'fixed-percent';
      o.spec.value = '250';
      o.spec.loss.loss = 'lots';
    });
    const p = await kubectl(k, ['apply', '-f', '-'], stringify(percent));
    assert.match(p.stderr, /spec\.value: Invalid value: "250": value of fixed-percent must be between 1 and 100/);
    assert.match(p.stderr, /spec\.loss\.loss: Invalid value: "lots"/);
    assert.match((await kubectl(k, ['get', 'networkchaos', '-n', 'shop', '-o', 'name'])).stdout, /^$/);
  });

  it('pod-kill (upstream example) deletes one cart pod, which the Deployment replaces', async () => {
    const before = new Set(cartPods().map((p) => p.metadata.name));
    await kubectlOk(k, ['apply', '-f', '-'], stringify(example('pod-kill-example.yaml')));
    await kubectlOk(k, ['wait', '--for=condition=AllInjected', 'podchaos/pod-kill-example', '-n', 'shop', '--timeout=20s']);
    const killed = (await status('podchaos', 'pod-kill-example')).experiment.containerRecords![0]!.id.split('/')[1]!;
    assert.ok(before.has(killed));
    await waitFor(() => {
      const now = cartPods();
      return !now.some((p) => p.metadata.name === killed) && now.length === 2 && now.every((p) => p.status.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True'));
    }, { what: `${killed} gone and 2 Ready cart pods`, timeoutMs: 30_000 });
    await kubectlOk(k, ['delete', 'podchaos', 'pod-kill-example', '-n', 'shop']);
  });

  it('container-kill restarts the named container of every selected pod; deleting a chaos object ends it at once', async () => {
    const manifest = example('pod-kill-example.yaml', (o) => {
      o.metadata.name = 'kill-cart-container';
      o.spec.action = 'container-kill';
      o.spec.mode = 'all';
      o.spec.containerNames = ['cart'];
    });
    await kubectlOk(k, ['apply', '-f', '-'], stringify(manifest));
    await kubectlOk(k, ['wait', '--for=condition=AllInjected', 'podchaos/kill-cart-container', '-n', 'shop', '--timeout=20s']);
    const records = (await status('podchaos', 'kill-cart-container')).experiment.containerRecords!;
    assert.deepEqual(records.map((r) => r.id).sort(), cartPods().map((p) => `shop/${p.metadata.name}/cart`).sort());
    for (const p of cartPods()) {
      const cs = p.status.containerStatuses[0];
      assert.deepEqual([cs.restartCount, cs.lastState.terminated.exitCode], [1, 137], p.metadata.name);
    }

    const long = example('network-delay-example.yaml', (o) => {
      o.metadata.name = 'long-delay';
      o.spec.duration = '1h';
    });
    await kubectlOk(k, ['apply', '-f', '-'], stringify(long));
    await kubectlOk(k, ['wait', '--for=condition=AllInjected', 'networkchaos/long-delay', '-n', 'shop', '--timeout=20s']);
    assert.ok(k.activeChaos().some((o) => o.metadata.name === 'long-delay'));
    await kubectlOk(k, ['delete', 'networkchaos', 'long-delay', '-n', 'shop', '--timeout=10s']);
    assert.equal(k.get('networkchaos', 'shop', 'long-delay'), undefined);
    assert.ok(!k.activeChaos().some((o) => o.metadata.name === 'long-delay'));
    await kubectlOk(k, ['delete', 'podchaos', 'kill-cart-container', '-n', 'shop']);
  });

  it('reports Selected False when nothing matches, and a Failed record when injection fails', async () => {
    const none = example('network-loss-example.yaml', (o) => {
      o.metadata.name = 'nothing-selected';
      o.spec.selector = { labelSelectors: { app: 'nothing' } };
    });
    await kubectlOk(k, ['apply', '-f', '-'], stringify(none));
    await waitFor(() => k.get('networkchaos', 'shop', 'nothing-selected')?.status?.conditions?.length, { what: 'a status on nothing-selected' });
    await kubectlOk(k, ['wait', '--for=condition=Selected=False', 'networkchaos/nothing-selected', '-n', 'shop', '--timeout=20s']);
    const events = JSON.parse(await kubectlOk(k, ['get', 'events', '-n', 'shop', '--field-selector', 'involvedObject.name=nothing-selected', '-o', 'json'])) as { items: { reason: string; message: string }[] };
    assert.ok(events.items.some((e) => e.reason === 'Failed' && /no pod is selected/.test(e.message)));

    k.failChaosInjection((o) => (o.metadata.name === 'will-fail' ? 'unable to flush ip sets' : undefined));
    await kubectlOk(k, ['apply', '-f', '-'], stringify(example('network-loss-example.yaml', (o) => (o.metadata.name = 'will-fail'))));
    const failed = await waitFor(() => k.get('networkchaos', 'shop', 'will-fail')?.status?.experiment?.containerRecords?.[0], { what: 'a record on will-fail', timeoutMs: 20_000 });
    assert.deepEqual([failed.phase, failed.events[0].type, failed.events[0].operation, failed.events[0].message], ['Not Injected', 'Failed', 'Apply', 'unable to flush ip sets']);
    assert.equal((await status('networkchaos', 'will-fail')).conditions.find((c) => c.type === 'AllInjected')?.status, 'False');
    assert.deepEqual(k.activeChaos(), []);
    k.failChaosInjection(undefined);
  });
});
