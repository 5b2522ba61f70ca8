/** The Chaos Mesh kinds, keyed by the faultline kind name they share with the other drivers. */
import { httpDelayChaos, httpErrorChaos } from './http.js';
import { ioDelayChaos, ioFaultChaos } from './io.js';
import { netBandwidthChaos, netDelayChaos, netLossChaos, netPartitionChaos } from './network.js';
import { containerKillChaos, podDeleteChaos, podKillChaos } from './pod.js';
import { cpuStressChaos, memoryStressChaos } from './stress.js';
import { timeSkewChaos } from './time.js';
import type { ChaosMeshKind } from './types.js';

export const chaosMeshKinds: Record<string, ChaosMeshKind> = Object.fromEntries(
  [
    netDelayChaos,
    netLossChaos,
    netPartitionChaos,
    netBandwidthChaos,
    cpuStressChaos,
    memoryStressChaos,
    httpErrorChaos,
    httpDelayChaos,
    ioDelayChaos,
    ioFaultChaos,
    timeSkewChaos,
    podDeleteChaos,
    podKillChaos,
    containerKillChaos,
  ].map((k) => [k.name, k as unknown as ChaosMeshKind]),
);

export { chaosMeshResource, chaosMeshCrdName, embedKey, CHAOS_MESH_API_VERSION, CHAOS_MESH_GROUP, type ChaosMeshMeta } from './resource.js';
export { goDuration, goLatency, signedGoDuration } from './go-duration.js';
export type { ChaosMeshCrdKind, ChaosMeshKind, ChaosMeshResource, ChaosMeshSelection, ChaosMeshSpecOptions } from './types.js';
