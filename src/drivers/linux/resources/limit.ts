/** `cpu-limit`, `memory-limit` and both at once (`resource-limit`, what `faultline limit` uses): cgroup quotas, restored exactly after. */
import { z } from 'zod';
import { modeParam } from '../cgroup/plan.js';
import { formatSize, sizeParam } from '../units.js';
import { cgroupFault } from './cgroup-fault.js';

const cpus = z.number().min(0.01).max(1024).describe('CPUs the processes may use together, e.g. 0.5 (a CFS quota)');
const memory = sizeParam.refine((b) => b >= 4 * 1024 * 1024, { message: 'expected at least 4m' }).describe('Memory limit, e.g. 64m; allocating past it gets processes OOM-killed');

const REVERT = 'previous values written back to the target\'s cgroup (in-place), or its processes moved back to their cgroups and faultline\'s removed (move)';

const cpuParams = z.strictObject({ cpus, mode: modeParam });
export type CpuLimitParams = z.output<typeof cpuParams>;
export const cpuLimitFault = cgroupFault({
  name: 'cpu-limit',
  summary: 'Cap the CPU the service\'s processes may use (cgroup v1 cpu.cfs_quota_us or v2 cpu.max)',
  revertSummary: REVERT,
  params: cpuParams,
  wants: (p) => ({ cpus: p.cpus }),
  describe: (p) => `at most ${p.cpus} CPU`,
});

const memoryParams = z.strictObject({ memory, mode: modeParam });
export type MemoryLimitParams = z.output<typeof memoryParams>;
export const memoryLimitFault = cgroupFault({
  name: 'memory-limit',
  summary: 'Cap the memory of the service\'s processes (cgroup v1 memory.limit_in_bytes or v2 memory.max); OOM kills are recorded',
  revertSummary: REVERT,
  params: memoryParams,
  wants: (p) => ({ memoryBytes: p.memory }),
  describe: (p) => `at most ${formatSize(p.memory)} of memory`,
});

const bothParams = z
  .strictObject({ cpus: cpus.optional(), memory: memory.optional(), mode: modeParam })
  .refine((p) => p.cpus !== undefined || p.memory !== undefined, { message: 'expected cpus, memory or both' });
export type ResourceLimitParams = z.output<typeof bothParams>;
export const resourceLimitFault = cgroupFault({
  name: 'resource-limit',
  summary: 'Cap CPU and/or memory of the service\'s processes at once (what `faultline limit` applies)',
  revertSummary: REVERT,
  params: bothParams,
  wants: (p) => ({ ...(p.cpus !== undefined ? { cpus: p.cpus } : {}), ...(p.memory !== undefined ? { memoryBytes: p.memory } : {}) }),
  describe: (p) => [p.cpus !== undefined ? `at most ${p.cpus} CPU` : '', p.memory !== undefined ? `at most ${formatSize(p.memory)} of memory` : ''].filter(Boolean).join(' and '),
});
