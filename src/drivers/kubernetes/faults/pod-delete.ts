/**
 * `pod-delete` and `pod-kill`: delete some of a service's pods through the API (what `kubectl
 * delete pod` does), with the pod's own grace period, a given one, or none (`pod-kill`). Nothing to
 * undo: the workload's controller replaces them, and that replacement is what the run measures.
 */
import { z } from 'zod';
import { TargetError } from '../../../errors/index.js';
import type { FaultKind } from '../../../faults/types.js';
import { duration } from '../../../util/duration-schema.js';
import { Cluster } from '../cluster.js';
import { podMode, podsFor, describeMode } from '../pod-mode.js';
import type { KubernetesFaultTarget } from '../target.js';
import { choosePods, podReach } from './choose.js';

const deleteParams = z.strictObject({
  mode: podMode,
  gracePeriod: duration.optional().describe('How long the pods get to stop (default: each pod\'s terminationGracePeriodSeconds); rounded up to whole seconds'),
});
const killParams = z.strictObject({ mode: podMode });

export type PodDeleteParams = z.output<typeof deleteParams>;
export type PodKillParams = z.output<typeof killParams>;

async function deletePods(target: KubernetesFaultTarget, mode: PodDeleteParams['mode'], graceSeconds: number | undefined): Promise<{ details: { pods: string[]; gracePeriodSeconds: number | null } }> {
  const cluster = await Cluster.connect(target.cluster);
  const pods = await choosePods(cluster, target, mode);
  if (pods.length === 0) throw new TargetError(`${target.label}: no running pods to delete`, target.service);
  for (const pod of pods) await cluster.deletePod(target.namespace, pod, graceSeconds);
  return { details: { pods, gracePeriodSeconds: graceSeconds ?? null } };
}

export const podDeleteFault: FaultKind<PodDeleteParams, KubernetesFaultTarget> = {
  name: 'pod-delete',
  driver: 'kubernetes',
  summary: 'Delete pods of the service (mode: one, all, fixed, fixed-percent), with their grace period',
  timing: 'instant',
  revertSummary: 'nothing to undo: the workload\'s controller replaces the pods (that is what is measured)',
  params: deleteParams,
  reach: (target, p) => podReach(target, p.mode),
  plan: (target, p) => ({ cluster: target.cluster, namespace: target.namespace, mode: describeMode(p.mode), pods: podsFor(p.mode, target.pods.length) }),
  inject: (target, p) => deletePods(target, p.mode, p.gracePeriod === undefined ? undefined : Math.ceil(p.gracePeriod / 1000)),
  async revert() {},
};

export const podKillFault: FaultKind<PodKillParams, KubernetesFaultTarget> = {
  name: 'pod-kill',
  driver: 'kubernetes',
  summary: 'Delete pods of the service at once (grace period 0): the containers get SIGKILL',
  timing: 'instant',
  revertSummary: 'nothing to undo: the workload\'s controller replaces the pods (that is what is measured)',
  params: killParams,
  reach: (target, p) => podReach(target, p.mode),
  plan: (target, p) => ({ cluster: target.cluster, namespace: target.namespace, mode: describeMode(p.mode), pods: podsFor(p.mode, target.pods.length) }),
  inject: (target, p) => deletePods(target, p.mode, 0),
  async revert() {},
};
