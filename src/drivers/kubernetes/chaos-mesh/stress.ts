/**
 * cpu-stress and memory-stress as StressChaos. Chaos Mesh's chaos-daemon runs the stressors inside
 * the target container's cgroups, which is what faultline's `placement: target` does; it always
 * uses its own stress tools, so `engine: builtin` and `placement: host` cannot be expressed.
 */
import { z } from 'zod';
import { percentParam, sizeParam } from '../../linux/units.js';
import { podMode } from '../pod-mode.js';
import { commonSpec, onlyValues, wholePercent } from './params.js';
import type { ChaosMeshKind } from './types.js';

const workers = z.number().int().min(1).max(256);
const engine = onlyValues(['auto', 'builtin', 'stress-ng'] as const, ['auto', 'stress-ng'], "Chaos Mesh always runs its own stressors (stress-ng and memStress): remove engine");
const placement = onlyValues(['target', 'host'] as const, ['target'], "Chaos Mesh's stressors always run inside the target container's cgroups: remove placement");

const cpuParams = z.strictObject({
  mode: podMode,
  workers: workers.default(1).describe('Busy processes, each worth up to one CPU'),
  load: percentParam.default(100).refine(wholePercent, { message: 'Chaos Mesh takes a whole percentage (1 to 100)' }).describe("Share of each worker's time spent busy"),
  engine,
  placement,
});
export type ChaosMeshCpuStressParams = z.output<typeof cpuParams>;

export const cpuStressChaos: ChaosMeshKind<ChaosMeshCpuStressParams> = {
  name: 'cpu-stress',
  crdKind: 'StressChaos',
  plural: 'stresschaos',
  summary: 'Burn CPU inside the pods\' containers (Chaos Mesh StressChaos cpu)',
  timing: 'held',
  params: cpuParams,
  spec: (p, selection, o) => ({ ...commonSpec(p.mode, selection, o.durationMs, { containers: true }), stressors: { cpu: { workers: p.workers, load: p.load } } }),
};

const memoryParams = z.strictObject({
  mode: podMode,
  size: sizeParam.refine((b) => b >= 1, { message: 'expected at least 1 byte' }).describe('Memory to allocate and keep resident, e.g. 256m (in all, spread over the workers)'),
  workers: workers.default(1).describe('Processes to spread it over'),
  oomScoreAdj: z.number().int().min(-1000).max(1000).optional().describe('Kubernetes only: the stress processes\' oom_score_adj (-1000 to 1000; Chaos Mesh default 0)'),
  engine,
  placement,
});
export type ChaosMeshMemoryStressParams = z.output<typeof memoryParams>;

export const memoryStressChaos: ChaosMeshKind<ChaosMeshMemoryStressParams> = {
  name: 'memory-stress',
  crdKind: 'StressChaos',
  plural: 'stresschaos',
  summary: 'Hold memory inside the pods\' containers to put them under pressure (Chaos Mesh StressChaos memory)',
  timing: 'held',
  params: memoryParams,
  // Chaos Mesh's size is per worker; faultline's is the total. Plain bytes ("B") read the same under decimal and binary parsers.
  spec: (p, selection, o) => ({
    ...commonSpec(p.mode, selection, o.durationMs, { containers: true }),
    stressors: { memory: { workers: p.workers, size: `${Math.max(1, Math.floor(p.size / p.workers))}B`, ...(p.oomScoreAdj !== undefined ? { oomScoreAdj: p.oomScoreAdj } : {}) } },
  }),
};
