/**
 * A stand-in Kubernetes API server for tests (never shipped): plain HTTP on 127.0.0.1, no auth,
 * speaking the real wire protocol for what faultline and kubectl use — discovery, list/watch,
 * get/create/update/patch/delete, status/scale/eviction/exec subresources, CRDs — with small
 * imitations of the scheduler, kubelet, workload controllers and Chaos Mesh behind it.
 * See docs/testing.md, "The stand-in API server", for what differs from a real cluster.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { ApiServer } from './api-server.js';
import { ChaosController } from './chaos/controller.js';
import { ChaosValidator } from './chaos/validate.js';
import { Cluster, now, type StandInOptions } from './cluster.js';
import { DaemonSetController } from './controllers/daemonset.js';
import { DeploymentController } from './controllers/deployment.js';
import { startControllers } from './controllers/loop.js';
import { PodLifecycle } from './controllers/pods.js';
import { ReplicaSetController } from './controllers/replicaset.js';
import { StatefulSetController } from './controllers/statefulset.js';
import { chaosMeshCrds, chaosMeshDir, k6OperatorCrds } from './crds.js';
import { applyDefaults } from './defaults.js';
import { ExecServer } from './exec.js';
import { writeKubeconfig } from './kubeconfig.js';
import { Store } from './store.js';
import type { KubeObject, LoggedRequest } from './types.js';

export { validateCoreObject } from './validate-core.js';
export { chaosMeshDir } from './crds.js';
export type { KubeObject, LoggedRequest } from './types.js';

export interface KubeStandInOptions extends Partial<StandInOptions> {
  /** Install the Chaos Mesh CRDs (and its controller imitation) at start. */
  chaosMesh?: boolean;
}

export interface KubeStandIn {
  /** http://127.0.0.1:PORT */
  url: string;
  /** A kubeconfig (context `stand-in`, namespace `default`) pointing at `url`. */
  kubeconfigPath: string;
  options: StandInOptions;
  /** Create or replace (by namespace and name), without admission; returns the stored object. */
  apply(obj: KubeObject): KubeObject;
  /** By plural, kind or short name: get('pods', 'shop', 'cart-0'). */
  get(kindPlural: string, ns: string | undefined, name: string): KubeObject | undefined;
  list(kindPlural: string, ns?: string): KubeObject[];
  /** Every HTTP request (and exec upgrade) received, oldest first. */
  readonly requests: LoggedRequest[];
  installChaosMesh(): void;
  installK6Operator(): void;
  /** Forget the watch history: the next watch from a given resourceVersion gets 410 Expired. */
  expireWatchHistory(): void;
  /** End a container as the kernel's OOM killer does (exit 137, OOMKilled); the kubelet restarts it. */
  oomKill(ns: string, pod: string, container?: string): void;
  /** Node-pressure eviction: phase Failed, reason Evicted; its controller replaces it. */
  evict(ns: string, pod: string): void;
  /** Make matching chaos objects fail to inject with the returned message (undefined: inject). */
  failChaosInjection(match: ((obj: KubeObject) => string | undefined) | undefined): void;
  /** Chaos objects injected and not yet recovered or deleted. */
  activeChaos(): KubeObject[];
  close(): Promise<void>;
}

const defaults: StandInOptions = {
  readyDelayMs: 300,
  chaosInjectDelayMs: 200,
  nodes: ['node-a', 'node-b'],
  namespaces: ['default', 'kube-system', 'shop'],
  watchHistory: 1000,
  bookmarkIntervalMs: 1000,
  maxTerminatingMs: 1000,
};

let warnedNoShared = false;

export async function startKubeApiServer(input: KubeStandInOptions = {}): Promise<KubeStandIn> {
  const { chaosMesh, ...rest } = input;
  const options: StandInOptions = { ...defaults, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) };
  const store = new Store(options.watchHistory);
  const cluster = new Cluster(store, options);
  const pods = new PodLifecycle(cluster);
  const stopControllers = startControllers(cluster, [pods, new ReplicaSetController(cluster), new DeploymentController(cluster), new StatefulSetController(cluster), new DaemonSetController(cluster)]);
  const chaos = new ChaosController(cluster, pods);
  const validator = new ChaosValidator(chaosMeshDir && `${chaosMeshDir}/schemas`);
  cluster.admission.push((_op, def, obj, _old, fieldValidation) => {
    if (def.group === 'chaos-mesh.org') validator.check(def, obj, fieldValidation);
  });

  const seed = (plural: string, obj: KubeObject, group = ''): void => {
    const def = cluster.def(plural, group);
    applyDefaults(def, obj);
    store.create(def, obj);
  };
  for (const ns of options.namespaces) seed('namespaces', { metadata: { name: ns } });
  for (const node of options.nodes)
    seed('nodes', {
      metadata: { name: node, labels: { 'kubernetes.io/hostname': node, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' } },
      spec: {},
      status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now(), lastTransitionTime: now() }], nodeInfo: { kubeletVersion: 'v1.32.0-faultline-stand-in', containerRuntimeVersion: 'containerd://1.7.0' } },
    });

  const watches = { store, bookmarkIntervalMs: options.bookmarkIntervalMs, open: new Set<() => void>() };
  let address = '';
  const api = new ApiServer(cluster, watches, () => address);
  const exec = new ExecServer(cluster, pods, (path, query) => api.requests.push({ method: 'GET', path, query, contentType: undefined, body: undefined }));
  const server: Server = createServer((req, res) => void api.handle(req, res));
  server.on('upgrade', (req, socket, head) => exec.upgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `http://${address}`;
  const kubeconfig = writeKubeconfig(url);

  const installCrds = (crds: KubeObject[]): void => {
    const def = cluster.def('customresourcedefinitions', 'apiextensions.k8s.io');
    for (const crd of crds) if (!store.get(def, undefined, crd.metadata.name)) seed('customresourcedefinitions', crd, 'apiextensions.k8s.io');
  };
  const handle: KubeStandIn = {
    url,
    kubeconfigPath: kubeconfig.path,
    options,
    requests: api.requests,
    apply(obj) {
      const def = store.resources().find((r) => (r.group ? `${r.group}/${r.version}` : r.version) === obj.apiVersion && r.kind === obj.kind);
      if (!def) throw new Error(`stand-in apply: ${obj.apiVersion} ${obj.kind} is not served`);
      const ns = def.namespaced ? (obj.metadata.namespace ?? 'default') : undefined;
      const o = structuredClone(obj);
      if (ns) o.metadata.namespace = ns;
      const existing = store.get(def, ns, o.metadata.name);
      if (existing) return store.replace(def, { ...o, metadata: { ...o.metadata, resourceVersion: existing.metadata.resourceVersion } });
      if (o.status === undefined) applyDefaults(def, o);
      return store.create(def, o);
    },
    get: (kind, ns, name) => store.get(store.byName(kind), ns, name),
    list: (kind, ns) => store.list(store.byName(kind), ns),
    installChaosMesh() {
      if (!chaosMeshDir && !warnedNoShared) {
        warnedNoShared = true;
        process.stderr.write('kube stand-in: ../shared/k8s/chaos-mesh is missing: minimal Chaos Mesh CRDs, and no schema validation of chaos objects\n');
      }
      installCrds(chaosMeshCrds());
    },
    installK6Operator: () => installCrds(k6OperatorCrds()),
    expireWatchHistory: () => store.expireHistory(),
    oomKill(ns, pod, container) {
      if (!pods.restartContainer(ns, pod, container, 137, 'OOMKilled')) throw new Error(`stand-in oomKill: no running container ${container ?? '(first)'} in pod ${ns}/${pod}`);
    },
    evict(ns, pod) {
      if (!pods.evict(ns, pod)) throw new Error(`stand-in evict: no pod ${ns}/${pod}`);
    },
    failChaosInjection: (match) => chaos.failInjection(match),
    activeChaos: () => chaos.activeChaos(),
    async close() {
      cluster.close();
      stopControllers();
      for (const end of [...watches.open]) end();
      exec.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dirname(kubeconfig.path), { recursive: true, force: true });
    },
  };
  if (chaosMesh) handle.installChaosMesh();
  return handle;
}
