/**
 * One Kubernetes cluster as faultline uses it: the few calls the driver, the recovery watch, the
 * probes and `recover` make, on @kubernetes/client-node. The library is imported on first use
 * (it costs half a second), so runs without a kubernetes service never load it.
 *
 * The connection is named by a `ClusterRef` (kubeconfig file and context), which is plain JSON:
 * it goes into the ledger with every fault, so a revert in a fresh process reaches the same cluster.
 */
import type * as k8s from '@kubernetes/client-node';
import { TargetError } from '../../errors/index.js';
import type { WorkloadKind } from '../../experiment/schema/kubernetes.js';

/** Which cluster: the kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster) and context (default: current). */
export type ClusterRef = {
  kubeconfig?: string;
  context?: string;
};

/** `--context` on the command line: it wins over the system file's context. */
export const CONTEXT_ENV = 'FAULTLINE_KUBE_CONTEXT';

/** The ref a run uses: the system file's, with `--context` (FAULTLINE_KUBE_CONTEXT) over its context. */
export function runClusterRef(system: ClusterRef | undefined): ClusterRef {
  const context = process.env[CONTEXT_ENV] || system?.context;
  return { ...(system?.kubeconfig ? { kubeconfig: system.kubeconfig } : {}), ...(context ? { context } : {}) };
}

export interface WorkloadInfo {
  kind: WorkloadKind;
  name: string;
  namespace: string;
  /** spec.selector.matchLabels (matchExpressions are refused: the driver selects by labels). */
  selector: Record<string, string>;
  /** spec.replicas; for a DaemonSet, the number of nodes it wants to run on. */
  replicas: number;
  ready: number;
}

export type Pod = k8s.V1Pod;
export type WatchEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'; object: Record<string, unknown> };

const WORKLOAD_PATH: Record<WorkloadKind, string> = { deployment: 'deployments', statefulSet: 'statefulsets', daemonSet: 'daemonsets' };

let lib: Promise<typeof k8s> | undefined;
const loadLib = () => (lib ??= import('@kubernetes/client-node'));

/** A status code from the API (404, 409, 410…), when the error carries one. */
export function apiStatus(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown; body?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  return undefined;
}

/** The API server's own message (a Status object's `message`), else the error's. */
export function apiMessage(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: string };
      if (parsed.message) return parsed.message;
    } catch {
      if (body.trim()) return body.trim().slice(0, 300);
    }
  } else if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string') {
    return body.message;
  }
  const message = (err as Error).message ?? String(err);
  const code = (err as { cause?: { code?: string } }).cause?.code;
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

export class Cluster {
  private constructor(
    private readonly lib: typeof k8s,
    private readonly kc: k8s.KubeConfig,
    /** The ref this connection was made from, with the context filled in: what revert infos record. */
    readonly ref: Required<Pick<ClusterRef, 'context'>> & ClusterRef,
    /** The API server's address. */
    readonly server: string,
  ) {}

  private static readonly cache = new Map<string, Promise<Cluster>>();

  /** The cluster a ref names, exactly (a revert's ref comes from the ledger); one connection per ref and process. */
  static connect(ref: ClusterRef): Promise<Cluster> {
    const key = `${ref.kubeconfig ?? ''}\n${ref.context ?? ''}`;
    let found = Cluster.cache.get(key);
    if (!found) {
      found = Cluster.open(ref);
      Cluster.cache.set(key, found);
      found.catch(() => Cluster.cache.delete(key));
    }
    return found;
  }

  private static async open(ref: ClusterRef): Promise<Cluster> {
    const lib = await loadLib();
    const kc = new lib.KubeConfig();
    try {
      if (ref.kubeconfig) kc.loadFromFile(ref.kubeconfig);
      else kc.loadFromDefault();
    } catch (err) {
      throw new TargetError(`cannot read the kubeconfig${ref.kubeconfig ? ` ${ref.kubeconfig}` : ''}: ${(err as Error).message}`, 'kubernetes');
    }
    if (ref.context) {
      const names = kc.getContexts().map((c) => c.name);
      if (!names.includes(ref.context)) {
        throw new TargetError(`kubeconfig context "${ref.context}" not found${names.length ? `; it has: ${names.join(', ')}` : ' (the kubeconfig has no contexts)'}`, 'kubernetes');
      }
      kc.setCurrentContext(ref.context);
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new TargetError('no Kubernetes cluster configured: set KUBECONFIG, or kubernetes.kubeconfig/context in the system file', 'kubernetes');
    return new Cluster(lib, kc, { ...ref, context: kc.getCurrentContext() }, cluster.server);
  }

  /** "context kind-shop (https://127.0.0.1:6443)": what confirmations, labels and audit show. */
  get label(): string {
    return `context ${this.ref.context} (${this.server})`;
  }

  private get core(): k8s.CoreV1Api {
    return this.kc.makeApiClient(this.lib.CoreV1Api);
  }

  private get apps(): k8s.AppsV1Api {
    return this.kc.makeApiClient(this.lib.AppsV1Api);
  }

  private get custom(): k8s.CustomObjectsApi {
    return this.kc.makeApiClient(this.lib.CustomObjectsApi);
  }

  private mergePatch(): k8s.ConfigurationOptions {
    return this.lib.setHeaderOptions('Content-Type', this.lib.PatchStrategy.MergePatch);
  }

  /** Wraps an API call so its failure says what was asked and the server's answer. */
  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const wrapped = new Error(`${what}: ${apiMessage(err)}`) as Error & { status?: number };
      const status = apiStatus(err);
      if (status !== undefined) wrapped.status = status;
      throw wrapped;
    }
  }

  async listPods(namespace: string, selector: Record<string, string>): Promise<Pod[]> {
    const labelSelector = selectorString(selector);
    const list = await this.call(`listing pods ${labelSelector} in ${namespace}`, () => this.core.listNamespacedPod({ namespace, labelSelector }));
    return list.items;
  }

  async workload(kind: WorkloadKind, namespace: string, name: string): Promise<WorkloadInfo> {
    const what = `reading ${kind} ${namespace}/${name}`;
    const obj = await this.call(what, async (): Promise<k8s.V1Deployment | k8s.V1StatefulSet | k8s.V1DaemonSet> => {
      if (kind === 'deployment') return this.apps.readNamespacedDeployment({ name, namespace });
      if (kind === 'statefulSet') return this.apps.readNamespacedStatefulSet({ name, namespace });
      return this.apps.readNamespacedDaemonSet({ name, namespace });
    });
    const sel = obj.spec?.selector;
    if (sel?.matchExpressions?.length) throw new TargetError(`${kind} ${namespace}/${name} selects its pods with matchExpressions; give the service a kubernetes.selector with the pods' labels instead`, name);
    const selector = sel?.matchLabels ?? {};
    if (Object.keys(selector).length === 0) throw new TargetError(`${kind} ${namespace}/${name} has no spec.selector.matchLabels`, name);
    if (kind === 'daemonSet') {
      const st = (obj as k8s.V1DaemonSet).status;
      return { kind, name, namespace, selector, replicas: st?.desiredNumberScheduled ?? 0, ready: st?.numberReady ?? 0 };
    }
    const spec = obj.spec as { replicas?: number };
    const st = obj.status as { readyReplicas?: number } | undefined;
    return { kind, name, namespace, selector, replicas: spec.replicas ?? 1, ready: st?.readyReplicas ?? 0 };
  }

  /** Every Deployment, StatefulSet and DaemonSet of a namespace, as the API returns them. */
  async listWorkloads(namespace: string): Promise<{ kind: WorkloadKind; object: k8s.V1Deployment | k8s.V1StatefulSet | k8s.V1DaemonSet }[]> {
    const [d, s, ds] = await Promise.all([
      this.call(`listing deployments in ${namespace}`, () => this.apps.listNamespacedDeployment({ namespace })),
      this.call(`listing statefulsets in ${namespace}`, () => this.apps.listNamespacedStatefulSet({ namespace })),
      this.call(`listing daemonsets in ${namespace}`, () => this.apps.listNamespacedDaemonSet({ namespace })),
    ]);
    return [
      ...d.items.map((object) => ({ kind: 'deployment' as const, object })),
      ...s.items.map((object) => ({ kind: 'statefulSet' as const, object })),
      ...ds.items.map((object) => ({ kind: 'daemonSet' as const, object })),
    ];
  }

  async listServices(namespace: string): Promise<k8s.V1Service[]> {
    return (await this.call(`listing services in ${namespace}`, () => this.core.listNamespacedService({ namespace }))).items;
  }

  async namespaceExists(namespace: string): Promise<boolean> {
    try {
      await this.call(`reading namespace ${namespace}`, () => this.core.readNamespace({ name: namespace }));
      return true;
    } catch (err) {
      if ((err as { status?: number }).status === 404) return false;
      throw err;
    }
  }

  async deletePod(namespace: string, name: string, gracePeriodSeconds?: number): Promise<'deleted' | 'gone'> {
    try {
      await this.call(`deleting pod ${namespace}/${name}`, () => this.core.deleteNamespacedPod({ name, namespace, ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}) }));
      return 'deleted';
    } catch (err) {
      if ((err as { status?: number }).status === 404) return 'gone';
      throw err;
    }
  }

  /** Sets spec.replicas through the scale subresource. */
  async scale(kind: 'deployment' | 'statefulSet', namespace: string, name: string, replicas: number): Promise<void> {
    const body = { spec: { replicas } };
    await this.call(`scaling ${kind} ${namespace}/${name} to ${replicas}`, () =>
      kind === 'deployment'
        ? this.apps.patchNamespacedDeploymentScale({ name, namespace, body }, this.mergePatch())
        : this.apps.patchNamespacedStatefulSetScale({ name, namespace, body }, this.mergePatch()),
    );
  }

  /** What `kubectl rollout restart` does: a new pod-template annotation, so the controller replaces every pod. */
  async rolloutRestart(kind: WorkloadKind, namespace: string, name: string, at: Date): Promise<void> {
    const body = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at.toISOString() } } } } };
    const opts = this.mergePatch();
    await this.call(`restarting ${kind} ${namespace}/${name}`, () => {
      if (kind === 'deployment') return this.apps.patchNamespacedDeployment({ name, namespace, body }, opts);
      if (kind === 'statefulSet') return this.apps.patchNamespacedStatefulSet({ name, namespace, body }, opts);
      return this.apps.patchNamespacedDaemonSet({ name, namespace, body }, opts);
    });
  }

  /** Runs a command in a container; resolves with its exit code (0 on success). */
  async exec(namespace: string, pod: string, container: string, command: string[]): Promise<{ code: number; stderr: string }> {
    const { Writable } = await import('node:stream');
    let stderr = '';
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    const errSink = new Writable({
      write: (chunk: Buffer, _e, cb) => {
        stderr += chunk.toString();
        cb();
      },
    });
    const exec = new this.lib.Exec(this.kc);
    return this.call(`exec in ${namespace}/${pod} (${container})`, () =>
      new Promise<{ code: number; stderr: string }>((resolve, reject) => {
        exec
          .exec(namespace, pod, container, command, sink, errSink, null, false, (status) => {
            if (status.status === 'Success') return resolve({ code: 0, stderr });
            const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
            if (cause?.message !== undefined) return resolve({ code: Number(cause.message), stderr });
            reject(new Error(status.message ?? 'the command failed'));
          })
          .then((ws) => ws.on('close', () => setTimeout(() => reject(new Error('the exec stream closed without a status')), 100)))
          .catch(reject);
      }),
    );
  }

  /** The names of the installed CustomResourceDefinitions (e.g. networkchaos.chaos-mesh.org). */
  async crdNames(): Promise<Set<string>> {
    const api = this.kc.makeApiClient(this.lib.ApiextensionsV1Api);
    const list = await this.call('listing CustomResourceDefinitions', () => api.listCustomResourceDefinition());
    return new Set(list.items.map((c) => c.metadata?.name ?? '').filter(Boolean));
  }

  async createCustom(group: string, version: string, plural: string, namespace: string, body: object): Promise<Record<string, unknown>> {
    const name = (body as { metadata?: { name?: string } }).metadata?.name ?? '';
    return (await this.call(`creating ${plural} ${namespace}/${name}`, () => this.custom.createNamespacedCustomObject({ group, version, plural, namespace, body }))) as Record<string, unknown>;
  }

  async getCustom(group: string, version: string, plural: string, namespace: string, name: string): Promise<Record<string, unknown> | undefined> {
    try {
      return (await this.call(`reading ${plural} ${namespace}/${name}`, () => this.custom.getNamespacedCustomObject({ group, version, plural, namespace, name }))) as Record<string, unknown>;
    } catch (err) {
      if ((err as { status?: number }).status === 404) return undefined;
      throw err;
    }
  }

  async deleteCustom(group: string, version: string, plural: string, namespace: string, name: string): Promise<'deleted' | 'gone'> {
    try {
      await this.call(`deleting ${plural} ${namespace}/${name}`, () => this.custom.deleteNamespacedCustomObject({ group, version, plural, namespace, name }));
      return 'deleted';
    } catch (err) {
      if ((err as { status?: number }).status === 404) return 'gone';
      throw err;
    }
  }

  async createConfigMap(namespace: string, body: k8s.V1ConfigMap): Promise<void> {
    await this.call(`creating configmap ${namespace}/${body.metadata?.name ?? ''}`, () => this.core.createNamespacedConfigMap({ namespace, body }));
  }

  async listConfigMaps(namespace: string, labelSelector: string): Promise<Record<string, unknown>[]> {
    const list = await this.call(`listing configmaps in ${namespace}`, () => this.core.listNamespacedConfigMap({ namespace, labelSelector }));
    return list.items as unknown as Record<string, unknown>[];
  }

  async deleteConfigMap(namespace: string, name: string): Promise<'deleted' | 'gone'> {
    try {
      await this.call(`deleting configmap ${namespace}/${name}`, () => this.core.deleteNamespacedConfigMap({ name, namespace }));
      return 'deleted';
    } catch (err) {
      if ((err as { status?: number }).status === 404) return 'gone';
      throw err;
    }
  }

  async listCustom(group: string, version: string, plural: string, namespace: string, labelSelector: string): Promise<Record<string, unknown>[]> {
    const list = (await this.call(`listing ${plural} in ${namespace}`, () => this.custom.listNamespacedCustomObject({ group, version, plural, namespace, labelSelector }))) as { items?: Record<string, unknown>[] };
    return list.items ?? [];
  }

  /** Events of a namespace's pods matching a selector, from `resourceVersion` on; returns the function that stops it. */
  async watch(path: string, query: Record<string, string | number | boolean>, onEvent: (e: WatchEvent) => void, onDone: (err: unknown) => void): Promise<() => void> {
    const watch = new this.lib.Watch(this.kc);
    const controller = await watch.watch(path, query, (type, object) => onEvent({ type: type as WatchEvent['type'], object: object as Record<string, unknown> }), onDone);
    return () => controller.abort();
  }

  /** List then the resourceVersion to watch from: `list` of a path with a label selector. */
  async listPodsWithVersion(namespace: string, selector: Record<string, string>): Promise<{ items: Pod[]; resourceVersion: string }> {
    const labelSelector = selectorString(selector);
    const list = await this.call(`listing pods ${labelSelector} in ${namespace}`, () => this.core.listNamespacedPod({ namespace, labelSelector }));
    return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
  }
}

/** `app=cart,tier=web` */
export function selectorString(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function workloadPath(kind: WorkloadKind): string {
  return WORKLOAD_PATH[kind];
}
