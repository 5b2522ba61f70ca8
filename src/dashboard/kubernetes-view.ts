/**
 * A kubernetes service as the dashboard shows it: its pods from the API server — Ready of wanted
 * (the workload's replicas), the restarts the kubelet counted, and which pods are not Ready.
 */
import { Cluster, type ClusterRef } from '../drivers/kubernetes/cluster.js';
import { selectorOf, summarizePod } from '../drivers/kubernetes/target.js';
import type { KubernetesTarget } from '../experiment/schema/kubernetes.js';
import type { ServiceState } from './types.js';

export interface KubernetesServiceView {
  state: ServiceState;
  replicas: { running: number; desired: number };
  restarts: number;
  detail: string;
}

export async function readKubernetesService(ref: ClusterRef, t: KubernetesTarget): Promise<KubernetesServiceView | { state: 'unknown'; detail: string }> {
  try {
    const cluster = await Cluster.connect(ref);
    const { selector, workload } = await selectorOf(cluster, t);
    const all = await cluster.listPods(t.namespace, selector);
    const pods = all.map(summarizePod).filter((p) => !p.terminating);
    const ready = pods.filter((p) => p.ready).length;
    const desired = workload?.replicas ?? pods.length;
    const restarts = all.flatMap((p) => p.status?.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0);
    const state: ServiceState = pods.length === 0 ? 'not running' : ready >= desired && ready === pods.length ? 'running' : ready === 0 ? 'starting' : 'degraded';
    const notReady = pods.filter((p) => !p.ready).map((p) => p.name);
    const what = workload ? `${workload.kind} ${workload.name}` : Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
    return { state, replicas: { running: ready, desired }, restarts, detail: `${what} in ${t.namespace}${notReady.length ? `; not Ready: ${notReady.slice(0, 3).join(', ')}` : ''}` };
  } catch (err) {
    return { state: 'unknown', detail: (err as Error).message };
  }
}
