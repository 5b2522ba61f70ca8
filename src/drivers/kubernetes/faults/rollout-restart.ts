/**
 * `rollout-restart`: what `kubectl rollout restart` does — a new pod-template annotation, so the
 * workload's controller replaces every pod under its update strategy. A rollout cannot be taken
 * back (the old pods are gone); it completes on its own, and that is what the run observes.
 */
import { z } from 'zod';
import { TargetError } from '../../../errors/index.js';
import type { FaultKind } from '../../../faults/types.js';
import { Cluster } from '../cluster.js';
import type { KubernetesFaultTarget } from '../target.js';

const params = z.strictObject({});
export type RolloutRestartParams = z.output<typeof params>;

function workloadOf(target: KubernetesFaultTarget): NonNullable<KubernetesFaultTarget['workload']> {
  if (!target.workload) throw new TargetError(`rollout-restart acts on a workload: service ${target.service} is a label selector — give it kubernetes.deployment, statefulSet or daemonSet`, target.service);
  return target.workload;
}

export const rolloutRestartFault: FaultKind<RolloutRestartParams, KubernetesFaultTarget> = {
  name: 'rollout-restart',
  driver: 'kubernetes',
  summary: 'Restart a Deployment, StatefulSet or DaemonSet the way `kubectl rollout restart` does',
  timing: 'instant',
  revertSummary: 'nothing to undo: the rollout replaces the pods and completes on its own',
  params,
  reach: (target) => ({ touched: target.pods.length, of: target.pods.length, unit: 'pods' }),
  plan: (target) => ({ cluster: target.cluster, namespace: target.namespace, workload: target.workload ? `${target.workload.kind}/${target.workload.name}` : null }),
  check: async (target) => void workloadOf(target),
  async inject(target) {
    const w = workloadOf(target);
    const at = new Date();
    await (await Cluster.connect(target.cluster)).rolloutRestart(w.kind, target.namespace, w.name, at);
    return { details: { [w.kind]: w.name, restartedAt: at.toISOString() } };
  },
  async revert() {},
};
