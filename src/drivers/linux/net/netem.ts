/**
 * netem faults: `net-delay` (delay and jitter) and `netem` (any of delay, jitter, loss, corrupt,
 * duplicate, reorder). They need the kernel's netem qdisc; where it is missing the error says so
 * before anything is applied, and points to the fault proxy, which adds latency in userspace.
 */
import { z } from 'zod';
import { duration } from '../../../util/duration-schema.js';
import { NETEM_HINT } from '../preflight.js';
import { percentParam } from '../units.js';
import { selectorShape } from './selector.js';
import { interfacesParam, shapeFault } from './shape-fault.js';
import { netemArgs, type NetemSpec } from './tc.js';

const NETEM = [{ qdisc: 'netem', otherwise: NETEM_HINT }];

const delayParams = z.strictObject({
  ...selectorShape,
  delay: duration.describe('Added to every selected packet'),
  jitter: duration.optional().describe('Random variation around the delay'),
  correlation: percentParam.optional().describe('How much each jitter value depends on the previous one'),
  interfaces: interfacesParam,
});
export type NetDelayParams = z.output<typeof delayParams>;

export const netDelayFault = shapeFault({
  name: 'net-delay',
  summary: 'Delay the service\'s packets in the kernel (tc netem), with optional jitter; needs netem',
  params: delayParams,
  qdiscs: NETEM,
  shape: (p) => ({ netem: netemArgs(toSpec(p)) }),
  describe: (p) => `netem ${netemArgs(toSpec(p)).join(' ')}`,
});

const netemParams = z
  .strictObject({
    ...selectorShape,
    delay: duration.optional(),
    jitter: duration.optional(),
    correlation: percentParam.optional(),
    loss: percentParam.optional(),
    corrupt: percentParam.optional(),
    duplicate: percentParam.optional(),
    reorder: percentParam.optional().describe('Share of packets sent at once while the rest are delayed (needs delay)'),
    interfaces: interfacesParam,
  })
  .refine((p) => [p.delay, p.loss, p.corrupt, p.duplicate, p.reorder].some((v) => v !== undefined), { message: 'expected at least one of delay, loss, corrupt, duplicate or reorder' })
  .refine((p) => p.reorder === undefined || (p.delay ?? 0) > 0, { message: 'reorder needs a delay (packets are reordered by sending some without it)', path: ['reorder'] })
  .refine((p) => p.jitter === undefined || p.delay !== undefined, { message: 'jitter needs a delay', path: ['jitter'] });
export type NetemParams = z.output<typeof netemParams>;

export const netemFault = shapeFault({
  name: 'netem',
  summary: 'Kernel network emulation (tc netem) on the service\'s traffic: delay, jitter, loss, corruption, duplication, reordering; needs netem',
  params: netemParams,
  qdiscs: NETEM,
  shape: (p) => ({ netem: netemArgs(toSpec(p)) }),
  describe: (p) => `netem ${netemArgs(toSpec(p)).join(' ')}`,
});

function toSpec(p: { delay?: number | undefined; jitter?: number | undefined; correlation?: number | undefined; loss?: number | undefined; corrupt?: number | undefined; duplicate?: number | undefined; reorder?: number | undefined }): NetemSpec {
  const spec: NetemSpec = {};
  if (p.delay !== undefined) spec.delayMs = p.delay;
  if (p.jitter !== undefined) spec.jitterMs = p.jitter;
  if (p.correlation !== undefined) spec.correlation = p.correlation;
  if (p.loss !== undefined) spec.loss = p.loss;
  if (p.corrupt !== undefined) spec.corrupt = p.corrupt;
  if (p.duplicate !== undefined) spec.duplicate = p.duplicate;
  if (p.reorder !== undefined) spec.reorder = p.reorder;
  return spec;
}
