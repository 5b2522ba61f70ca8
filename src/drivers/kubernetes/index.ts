/**
 * The kubernetes driver: faults on the pods of `kubernetes:` services — through the core API
 * (pod-delete, pod-kill, container-kill, scale, rollout-restart) and through Chaos Mesh resources
 * (the network, stress, HTTP, IO and time faults, under the names faultline already gives them
 * elsewhere) — and the pods' lifecycle watched for recovery. See docs/kubernetes.md.
 */
import type { FaultKind } from '../../faults/types.js';
import { chaosMeshKinds } from './chaos-mesh/index.js';
import { chaosMeshFault } from './faults/chaos-mesh-fault.js';
import { kubernetesContainerKillFault } from './faults/container-kill.js';
import { podDeleteFault, podKillFault } from './faults/pod-delete.js';
import { rolloutRestartFault } from './faults/rollout-restart.js';
import { scaleFault } from './faults/scale.js';

export const kubernetesPodFaults = {
  'pod-delete': podDeleteFault,
  'pod-kill': podKillFault,
  'container-kill': kubernetesContainerKillFault,
  scale: scaleFault,
  'rollout-restart': rolloutRestartFault,
} as const;

/**
 * The Chaos Mesh faults, by the names faultline gives them elsewhere. The pod faults go through
 * the core API instead (their PodChaos forms are for `faultline export`).
 */
export const kubernetesChaosFaults: Record<string, FaultKind> = Object.fromEntries(
  Object.entries(chaosMeshKinds)
    .filter(([name]) => !Object.hasOwn(kubernetesPodFaults, name))
    .map(([name, kind]) => [name, chaosMeshFault(kind) as unknown as FaultKind]),
);

export { KubernetesDriver } from './driver.js';
export { Cluster, CONTEXT_ENV, type ClusterRef } from './cluster.js';
export type { KubernetesFaultTarget } from './target.js';
export type { PodDeleteParams, PodKillParams } from './faults/pod-delete.js';
export type { KubernetesContainerKillParams } from './faults/container-kill.js';
export type { ScaleParams } from './faults/scale.js';
