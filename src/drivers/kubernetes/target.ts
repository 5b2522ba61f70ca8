/**
 * What the kubernetes faults act on: one target per service reference — the service's pods as
 * the cluster lists them now (by its selector, or its workload's), with the cluster they are in.
 * Which of those pods a fault touches is the fault's `mode`, decided when it is injected.
 */
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { TargetError } from '../../errors/index.js';
import type { KubernetesCluster, KubernetesTarget, WorkloadKind } from '../../experiment/schema/kubernetes.js';
import { WORKLOAD_KINDS } from '../../experiment/schema/kubernetes.js';
import type { FaultTarget } from '../../faults/types.js';
import { Cluster, runClusterRef, type ClusterRef, type Pod } from './cluster.js';

export interface PodSummary {
  name: string;
  ready: boolean;
  /** Deleted and stopping, or finished (Failed, Succeeded: an evicted pod stays listed until it is collected): not one of the service's pods any more. */
  terminating: boolean;
  containers: string[];
  node?: string;
}

export interface KubernetesFaultTarget extends FaultTarget {
  /** Plain JSON: what a revert records to reach the same cluster. */
  cluster: ClusterRef & { context: string };
  clusterLabel: string;
  namespace: string;
  selector: Record<string, string>;
  workload?: { kind: WorkloadKind; name: string; replicas: number };
  /** The container faults act on, when the service names one. */
  container?: string;
  pods: PodSummary[];
  /** Another kubernetes service's pods, for faults that need the other side (a partition). */
  peer(service: string): Promise<{ namespace: string; selector: Record<string, string> }>;
  remote: true;
}

/** The service's kubernetes block, or undefined for another kind of service. */
export function kubernetesOf(config: Readonly<Record<string, unknown>>): KubernetesTarget | undefined {
  return config.kubernetes as KubernetesTarget | undefined;
}

/** The ref a run connects with; a relative kubeconfig is relative to the system file. */
export function clusterRefFor(cluster: KubernetesCluster | undefined, baseDir: string): ClusterRef {
  const ref = runClusterRef(cluster);
  if (ref.kubeconfig && !isAbsolute(ref.kubeconfig)) ref.kubeconfig = resolvePath(baseDir, ref.kubeconfig);
  return ref;
}

export function workloadOf(t: KubernetesTarget): { kind: WorkloadKind; name: string } | undefined {
  for (const kind of WORKLOAD_KINDS) if (t[kind] !== undefined) return { kind, name: t[kind] };
  return undefined;
}

/** The label selector of a service: its own, or its workload's spec.selector. */
export async function selectorOf(cluster: Cluster, t: KubernetesTarget): Promise<{ selector: Record<string, string>; workload?: { kind: WorkloadKind; name: string; replicas: number } }> {
  const w = workloadOf(t);
  if (!w) return { selector: t.selector ?? {} };
  const info = await cluster.workload(w.kind, t.namespace, w.name);
  return { selector: info.selector, workload: { kind: w.kind, name: w.name, replicas: info.replicas } };
}

export function summarizePod(pod: Pod): PodSummary {
  const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  return {
    name: pod.metadata?.name ?? '?',
    ready,
    terminating: (pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null) || pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded',
    containers: (pod.spec?.containers ?? []).map((c) => c.name),
    ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}),
  };
}

export async function resolveKubernetesTarget(
  service: string,
  t: KubernetesTarget,
  ref: ClusterRef,
  peer: KubernetesFaultTarget['peer'],
): Promise<KubernetesFaultTarget> {
  const cluster = await Cluster.connect(ref);
  const { selector, workload } = await selectorOf(cluster, t);
  const pods = (await cluster.listPods(t.namespace, selector)).map(summarizePod).filter((p) => !p.terminating);
  if (t.container !== undefined) {
    const without = pods.filter((p) => !p.containers.includes(t.container!));
    if (without.length > 0) throw new TargetError(`service ${service}: pod ${without[0]!.name} has no container "${t.container}" (it has ${without[0]!.containers.join(', ')})`, service);
  }
  const what = workload ? `${workload.kind} ${workload.name}` : Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
  return {
    service,
    label: `${service} (${pods.length} pod${pods.length === 1 ? '' : 's'} of ${what} in ${t.namespace}, ${cluster.label})`,
    remote: true,
    cluster: { ...cluster.ref },
    clusterLabel: cluster.label,
    namespace: t.namespace,
    selector,
    ...(workload ? { workload } : {}),
    ...(t.container !== undefined ? { container: t.container } : {}),
    pods,
    peer,
  };
}
