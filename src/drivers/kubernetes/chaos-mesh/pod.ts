/**
 * The pod faults as PodChaos, for export and for the driver's optional use. They are single
 * actions: Chaos Mesh deletes or kills when it applies the resource, and deleting the resource
 * undoes nothing (the workload's controller brings pods back; that is what an experiment watches).
 */
import { z } from 'zod';
import { TargetError } from '../../../errors/index.js';
import { duration } from '../../../util/duration-schema.js';
import { k8sName } from '../../../experiment/schema/kubernetes.js';
import { podMode } from '../pod-mode.js';
import { commonSpec } from './params.js';
import type { ChaosMeshKind } from './types.js';

/**
 * Chaos Mesh cannot leave the grace period to the pod (its gracePeriod defaults to 0: at once),
 * so without one the PodChaos form uses Kubernetes' default terminationGracePeriodSeconds.
 */
export const DEFAULT_GRACE_SECONDS = 30;

const deleteParams = z.strictObject({
  mode: podMode,
  gracePeriod: duration
    .optional()
    .refine((ms) => ms === undefined || ms % 1000 === 0, { message: 'expected whole seconds such as 0s or 30s (Kubernetes counts the grace period in seconds)' })
    .describe(`How long the pods get to stop before they are killed, in whole seconds (PodChaos default here: ${DEFAULT_GRACE_SECONDS}s, Kubernetes' own default)`),
});
export type ChaosMeshPodDeleteParams = z.output<typeof deleteParams>;

export const podDeleteChaos: ChaosMeshKind<ChaosMeshPodDeleteParams> = {
  name: 'pod-delete',
  crdKind: 'PodChaos',
  plural: 'podchaos',
  summary: 'Delete pods with a grace period, as a rollout or an eviction would (Chaos Mesh PodChaos pod-kill with gracePeriod)',
  timing: 'instant',
  params: deleteParams,
  spec: (p, selection) => ({ ...commonSpec(p.mode, selection, undefined), action: 'pod-kill', gracePeriod: p.gracePeriod !== undefined ? p.gracePeriod / 1000 : DEFAULT_GRACE_SECONDS }),
};

const killParams = z.strictObject({ mode: podMode });
export type ChaosMeshPodKillParams = z.output<typeof killParams>;

export const podKillChaos: ChaosMeshKind<ChaosMeshPodKillParams> = {
  name: 'pod-kill',
  crdKind: 'PodChaos',
  plural: 'podchaos',
  summary: 'Delete pods at once, with no grace period (Chaos Mesh PodChaos pod-kill, gracePeriod 0)',
  timing: 'instant',
  params: killParams,
  spec: (p, selection) => ({ ...commonSpec(p.mode, selection, undefined), action: 'pod-kill', gracePeriod: 0 }),
};

const containerParams = z.strictObject({
  mode: podMode,
  container: k8sName.optional().describe("The container to kill (default: the service's kubernetes.container)"),
});
export type ChaosMeshContainerKillParams = z.output<typeof containerParams>;

export const containerKillChaos: ChaosMeshKind<ChaosMeshContainerKillParams> = {
  name: 'container-kill',
  crdKind: 'PodChaos',
  plural: 'podchaos',
  summary: "Kill one container of the pods; the kubelet restarts it in place (Chaos Mesh PodChaos container-kill)",
  timing: 'instant',
  params: containerParams,
  spec: (p, selection) => {
    const names = p.container !== undefined ? [p.container] : selection.containerNames;
    if (!names?.length) throw new TargetError('container-kill needs the container to kill: give container: NAME, or set kubernetes.container on the service in the system file');
    return { ...commonSpec(p.mode, selection, undefined), action: 'container-kill', containerNames: [...names] };
  },
};
