/**
 * `scale`: set a Deployment's or StatefulSet's replicas (to 0 for an outage, down for lost
 * capacity) for the fault's duration, through the scale subresource; the revert sets back the
 * replicas it had when the run resolved it — recorded before the change, so `recover` restores it too.
 */
import { z } from 'zod';
import { TargetError } from '../../../errors/index.js';
import type { FaultKind } from '../../../faults/types.js';
import { Cluster, type ClusterRef } from '../cluster.js';
import type { KubernetesFaultTarget } from '../target.js';

const params = z.strictObject({ replicas: z.number().int().min(0).describe('The replicas while the fault is held (0: the whole service down)') });
export type ScaleParams = z.output<typeof params>;

function scalable(target: KubernetesFaultTarget): { kind: 'deployment' | 'statefulSet'; name: string; replicas: number } {
  const w = target.workload;
  if (!w || w.kind === 'daemonSet') {
    throw new TargetError(`scale acts on a deployment or statefulSet: service ${target.service} is ${w ? `daemonSet ${w.name} (one pod per node; it has no replicas)` : 'a label selector'} — give it kubernetes.deployment or kubernetes.statefulSet`, target.service);
  }
  return { kind: w.kind, name: w.name, replicas: w.replicas };
}

export const scaleFault: FaultKind<ScaleParams, KubernetesFaultTarget> = {
  name: 'scale',
  driver: 'kubernetes',
  summary: 'Scale a Deployment or StatefulSet to N replicas while held; its replicas are restored on revert',
  timing: 'held',
  revertSummary: 'scale back to the replicas it had before',
  params,
  reach: (target, p) => {
    const had = target.workload?.replicas ?? target.pods.length;
    return { touched: Math.max(0, had - p.replicas), of: had, unit: 'pods' };
  },
  check: async (target) => void scalable(target),
  plan(target, p) {
    const w = scalable(target);
    return { cluster: target.cluster, kind: w.kind, namespace: target.namespace, name: w.name, replicas: w.replicas, to: p.replicas };
  },
  async inject(target, p) {
    const w = scalable(target);
    await (await Cluster.connect(target.cluster)).scale(w.kind, target.namespace, w.name, p.replicas);
    return { details: { [w.kind]: w.name, from: w.replicas, to: p.replicas } };
  },
  async revert(info, ctx) {
    const cluster = await Cluster.connect(info.cluster as ClusterRef);
    try {
      await cluster.scale(info.kind as 'deployment' | 'statefulSet', info.namespace as string, info.name as string, info.replicas as number);
    } catch (err) {
      // Deleted while scaled down (by someone, or a rollback): there are no replicas left to restore.
      if ((err as { status?: number }).status !== 404) throw err;
      ctx.log(`${String(info.kind)} ${String(info.namespace)}/${String(info.name)} no longer exists: nothing to scale back`);
    }
  },
};
