/**
 * The linux driver: host faults as root — partitions, packet loss, bandwidth and netem on the
 * network (in the host or a target's network namespace), cgroup CPU and memory limits, freezing,
 * CPU and memory stress, disk fill and file-descriptor exhaustion. See docs/linux.md.
 *
 * Kind names that the proxy driver also uses (partition, loss, bandwidth) carry a `net-` prefix.
 */
import { netBandwidthFault } from './net/bandwidth.js';
import { netLossFault } from './net/loss.js';
import { netDelayFault, netemFault } from './net/netem.js';
import { netPartitionFault } from './net/partition.js';
import { diskFillFault } from './resources/disk-fill.js';
import { fdExhaustionFault } from './resources/fd-exhaustion.js';
import { freezeFault } from './resources/freeze.js';
import { cpuLimitFault, memoryLimitFault, resourceLimitFault } from './resources/limit.js';
import { cpuStressFault, memoryStressFault, stressBothFault } from './resources/stress-kinds.js';

export const linuxFaults = {
  'net-partition': netPartitionFault,
  'net-loss': netLossFault,
  'net-bandwidth': netBandwidthFault,
  'net-delay': netDelayFault,
  netem: netemFault,
  'cpu-limit': cpuLimitFault,
  'memory-limit': memoryLimitFault,
  'resource-limit': resourceLimitFault,
  freeze: freezeFault,
  'cpu-stress': cpuStressFault,
  'memory-stress': memoryStressFault,
  stress: stressBothFault,
  'disk-fill': diskFillFault,
  'fd-exhaustion': fdExhaustionFault,
} as const;

export type LinuxFaultName = keyof typeof linuxFaults;

export { LinuxDriver } from './driver.js';
export type { LinuxTarget, LinuxProcess } from './target.js';
export type { LinuxFaultKind } from './net/filter-fault.js';
export { HostRequirementError, HostCommandError, isHostRequirementError, isHostCommandError } from './errors.js';
export { checkRequirements, missingRequirements, type Requirement } from './preflight.js';
export type { NetPartitionParams } from './net/partition.js';
export type { NetLossParams } from './net/loss.js';
export type { NetBandwidthParams } from './net/bandwidth.js';
export type { NetDelayParams, NetemParams } from './net/netem.js';
export type { CpuLimitParams, MemoryLimitParams, ResourceLimitParams } from './resources/limit.js';
export type { FreezeParams } from './resources/freeze.js';
export type { CpuStressParams, MemoryStressParams, StressParams } from './resources/stress-kinds.js';
export type { DiskFillParams } from './resources/disk-fill.js';
export type { FdExhaustionParams } from './resources/fd-exhaustion.js';
