/**
 * `container-limit`: lower the container's CPU and/or memory limits through the Engine
 * (docker update) for the duration, then put the previous values back.
 *
 * The Engine cannot *remove* a limit with an update (0 means "unchanged"), so a container that
 * had none gets back the equivalent of none: CPU quota -1 (unlimited), memory and memory+swap of
 * 8 PiB. A container started with --cpus (NanoCpus) is limited and restored through NanoCpus;
 * others through the CPU quota, which is what `docker update --cpus` cannot undo.
 */
import { z } from 'zod';
import type { FaultKind } from '../../../faults/types.js';
import { formatSize, sizeParam } from '../../linux/units.js';
import { announce, chosen, containerRef, engineField, failure, inspectIfExists, readInfo, replicasParam, toInfo } from '../common.js';
import { engineClient } from '../engine.js';
import type { DockerContainer, DockerTarget } from '../target.js';

/** The Engine's minimum memory limit. */
const MIN_MEMORY = 6 * 1024 * 1024;
/** "No limit" as a value the kernel and the Engine both take (the kernel refuses ~2^63). */
export const UNLIMITED_MEMORY = 2 ** 53;
const DEFAULT_PERIOD = 100_000;

const params = z
  .strictObject({
    cpus: z.number().min(0.01).max(1024).optional().describe('CPUs the container may use, e.g. 0.5'),
    memory: sizeParam.optional().describe('Memory limit (and memory+swap: no swap), e.g. 64m; at least 6m'),
    replicas: replicasParam,
  })
  .refine((p) => p.cpus !== undefined || p.memory !== undefined, 'expected cpus and/or memory')
  .refine((p) => p.memory === undefined || p.memory >= MIN_MEMORY, `expected memory of at least ${formatSize(MIN_MEMORY)} (the Engine's minimum)`);
export type ContainerLimitParams = z.output<typeof params>;

const limits = z.object({ NanoCpus: z.number(), CpuQuota: z.number(), CpuPeriod: z.number(), Memory: z.number(), MemorySwap: z.number() });
const info = z.object({
  engine: engineField,
  cpus: z.number().nullable(),
  memory: z.number().nullable(),
  containers: z.array(containerRef.extend({ previous: limits })),
});
type Limits = z.output<typeof limits>;

/** The update that applies the fault to one container. */
export function applyUpdate(previous: Limits, cpus: number | undefined, memory: number | undefined): Record<string, number> {
  const update: Record<string, number> = {};
  if (cpus !== undefined) {
    if (previous.NanoCpus > 0) update.NanoCpus = Math.round(cpus * 1e9);
    else {
      const period = previous.CpuPeriod > 0 ? previous.CpuPeriod : DEFAULT_PERIOD;
      update.CpuPeriod = period;
      update.CpuQuota = Math.max(1000, Math.round(cpus * period));
    }
  }
  if (memory !== undefined) {
    update.Memory = memory;
    update.MemorySwap = memory;
  }
  return update;
}

/** The updates (in order) that put one container's previous values back. */
export function restoreUpdates(previous: Limits, cpus: boolean, memory: boolean): Record<string, number>[] {
  const steps: Record<string, number>[] = [];
  const first: Record<string, number> = {};
  if (cpus) {
    if (previous.NanoCpus > 0) first.NanoCpus = previous.NanoCpus;
    else {
      first.CpuQuota = previous.CpuQuota > 0 ? previous.CpuQuota : -1;
      if (previous.CpuPeriod > 0) first.CpuPeriod = previous.CpuPeriod;
    }
  }
  if (memory) {
    if (previous.Memory <= 0) {
      first.Memory = UNLIMITED_MEMORY;
      first.MemorySwap = UNLIMITED_MEMORY;
    } else if (previous.MemorySwap === -1 || previous.MemorySwap <= 0) {
      // runc writes the memory limit before memory+swap: raise both to the limit first, then lift swap.
      first.Memory = previous.Memory;
      first.MemorySwap = previous.Memory;
      steps.push(first);
      return [...steps, { Memory: previous.Memory, MemorySwap: -1 }];
    } else {
      first.Memory = previous.Memory;
      first.MemorySwap = previous.MemorySwap;
    }
  }
  if (Object.keys(first).length) steps.push(first);
  return steps;
}

export const containerLimitFault: FaultKind<ContainerLimitParams, DockerTarget> = {
  name: 'container-limit',
  driver: 'docker',
  summary: 'Lower the container\'s CPU and/or memory limits (docker update) while the step lasts, then restore them',
  timing: 'held',
  revertSummary: 'docker update back to the recorded previous limits (none: unlimited quota, 8 PiB memory)',
  params,
  plan: (target, p) =>
    toInfo({
      engine: target.engine,
      cpus: p.cpus ?? null,
      memory: p.memory ?? null,
      containers: chosen(target, p.replicas).map((c: DockerContainer) => ({ id: c.id, name: c.name, previous: c.limits })),
    }),
  async inject(target, p, ctx) {
    const docker = engineClient(target.engine);
    const containers = chosen(target, p.replicas);
    announce(ctx, 'container-limit', target, containers);
    for (const c of containers) {
      try {
        await docker.getContainer(c.id).update(applyUpdate(c.limits, p.cpus, p.memory));
      } catch (err) {
        throw failure('docker update of', c, err);
      }
    }
    return { details: { containers: containers.map((c) => c.name), ...(p.cpus !== undefined ? { cpus: p.cpus } : {}), ...(p.memory !== undefined ? { memory: p.memory } : {}) } };
  },
  async revert(raw) {
    const { engine, cpus, memory, containers } = readInfo(info, raw, 'container-limit');
    for (const c of containers) {
      if (!(await inspectIfExists(engine, c.id))) continue; // gone: its limits went with it
      for (const update of restoreUpdates(c.previous, cpus !== null, memory !== null)) {
        try {
          await engineClient(engine).getContainer(c.id).update(update);
        } catch (err) {
          if (!(await inspectIfExists(engine, c.id))) break;
          throw failure('docker update (restoring limits) of', c, err);
        }
      }
    }
  },
};
