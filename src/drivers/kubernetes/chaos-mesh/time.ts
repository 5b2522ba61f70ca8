/** time-skew as TimeChaos: the pods' clocks run `offset` ahead (or behind, when negative). */
import { z } from 'zod';
import { parseDuration } from '../../../util/duration.js';
import { podMode } from '../pod-mode.js';
import { signedGoDuration } from './go-duration.js';
import { commonSpec } from './params.js';
import type { ChaosMeshKind } from './types.js';

export const CLOCK_IDS = ['CLOCK_REALTIME', 'CLOCK_MONOTONIC', 'CLOCK_PROCESS_CPUTIME_ID', 'CLOCK_THREAD_CPUTIME_ID', 'CLOCK_MONOTONIC_RAW', 'CLOCK_REALTIME_COARSE', 'CLOCK_MONOTONIC_COARSE', 'CLOCK_BOOTTIME', 'CLOCK_REALTIME_ALARM', 'CLOCK_BOOTTIME_ALARM'] as const;

/** `-10m`, `+1h30m`, `90s`, or a signed number of milliseconds. */
export const signedDuration = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const text = typeof value === 'number' ? String(Math.abs(value)) : value.trim().replace(/^[-+]/, '');
    const negative = typeof value === 'number' ? value < 0 : value.trim().startsWith('-');
    const ms = parseDuration(text);
    if (ms === undefined || ms === 0) {
      ctx.addIssue({ code: 'custom', message: `expected a non-zero offset such as -10m, +1h or 90s, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return negative ? -ms : ms;
  })
  .describe('A signed duration: -10m (behind), +1h or 90s (ahead)');

const params = z.strictObject({
  mode: podMode,
  offset: signedDuration.describe('How far the clocks move: -10m (behind), +1h or 90s (ahead)'),
  clockIds: z.array(z.enum(CLOCK_IDS)).min(1).optional().describe('The clocks to move (default CLOCK_REALTIME)'),
});
export type ChaosMeshTimeSkewParams = z.output<typeof params>;

export const timeSkewChaos: ChaosMeshKind<ChaosMeshTimeSkewParams> = {
  name: 'time-skew',
  crdKind: 'TimeChaos',
  plural: 'timechaos',
  summary: "Move the pods' clocks ahead or behind (Chaos Mesh TimeChaos)",
  timing: 'held',
  params,
  spec: (p, selection, o) => ({ ...commonSpec(p.mode, selection, o.durationMs, { containers: true }), timeOffset: signedGoDuration(p.offset), ...(p.clockIds ? { clockIds: [...p.clockIds] } : {}) }),
};
