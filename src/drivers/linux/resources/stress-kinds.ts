/** `cpu-stress`, `memory-stress`, and both at once (`stress`, what `faultline stress` uses). */
import { z } from 'zod';
import { percentParam, sizeParam } from '../units.js';
import { engineParam, placementParam, stressFault } from './stress.js';

const workers = z.number().int().min(1).max(256);

const cpuParams = z.strictObject({
  workers: workers.default(1).describe('Busy processes, each worth up to one CPU'),
  load: percentParam.default(100).describe('Share of each worker\'s time spent busy'),
  engine: engineParam,
  placement: placementParam,
});
export type CpuStressParams = z.output<typeof cpuParams>;
export const cpuStressFault = stressFault('cpu-stress', 'Burn CPU beside the service, inside its cgroups (built-in workers, or stress-ng)', cpuParams, (p) => ({
  cpuWorkers: p.workers,
  load: p.load,
  memoryWorkers: 1,
}));

const memoryParams = z.strictObject({
  size: sizeParam.describe('Memory to allocate and keep resident, e.g. 256m'),
  workers: workers.default(1).describe('Processes to spread it over'),
  engine: engineParam,
  placement: placementParam,
});
export type MemoryStressParams = z.output<typeof memoryParams>;
export const memoryStressFault = stressFault('memory-stress', 'Hold memory beside the service, inside its memory cgroup, to put it under pressure (OOM kills are recorded)', memoryParams, (p) => ({
  load: 100,
  memoryBytes: p.size,
  memoryWorkers: p.workers,
}));

const bothParams = z
  .strictObject({
    cpu: workers.optional().describe('CPU workers'),
    load: percentParam.default(100),
    memory: sizeParam.optional().describe('Memory to hold'),
    memoryWorkers: workers.default(1),
    engine: engineParam,
    placement: placementParam,
  })
  .refine((p) => p.cpu !== undefined || p.memory !== undefined, { message: 'expected cpu, memory or both' });
export type StressParams = z.output<typeof bothParams>;
export const stressBothFault = stressFault('stress', 'CPU and/or memory stress at once (what `faultline stress` applies)', bothParams, (p) => ({
  ...(p.cpu !== undefined ? { cpuWorkers: p.cpu } : {}),
  load: p.load,
  ...(p.memory !== undefined ? { memoryBytes: p.memory } : {}),
  memoryWorkers: p.memoryWorkers,
}));
