/**
 * Which of the selected pods a fault acts on, named as Chaos Mesh names its modes: `one` (a random
 * one), `all`, `{ fixed: N }` (N random pods) and `{ fixed-percent: P }` (P % of them, at least one).
 * The same parameter on pod faults (through the core API) and on Chaos Mesh faults.
 */
import { z } from 'zod';

export const podMode = z
  .union([
    z.enum(['one', 'all']),
    z.strictObject({ fixed: z.number().int().min(1).describe('This many pods, chosen at random') }),
    z.strictObject({ 'fixed-percent': z.number().int().min(1).max(100).describe('This percentage of the pods (rounded down, at least one), chosen at random') }),
  ])
  .default('one')
  .describe('Which of the selected pods: one, all, { fixed: N } or { fixed-percent: P } (default one)');

export type PodMode = z.output<typeof podMode>;

/** Chaos Mesh's spelling: `mode` and its `value` string. */
export function chaosMeshMode(mode: PodMode): { mode: 'one' | 'all' | 'fixed' | 'fixed-percent'; value?: string } {
  if (mode === 'one' || mode === 'all') return { mode };
  if ('fixed' in mode) return { mode: 'fixed', value: String(mode.fixed) };
  return { mode: 'fixed-percent', value: String(mode['fixed-percent']) };
}

/** How many of `count` pods a mode takes. */
export function podsFor(mode: PodMode, count: number): number {
  if (count === 0) return 0;
  if (mode === 'one') return 1;
  if (mode === 'all') return count;
  if ('fixed' in mode) return Math.min(mode.fixed, count);
  return Math.max(1, Math.floor((count * mode['fixed-percent']) / 100));
}

/** A few words for plans and logs: "one pod", "all pods", "2 pods", "50% of the pods". */
export function describeMode(mode: PodMode): string {
  if (mode === 'one') return 'one pod';
  if (mode === 'all') return 'all pods';
  if ('fixed' in mode) return `${mode.fixed} pod${mode.fixed === 1 ? '' : 's'}`;
  return `${mode['fixed-percent']}% of the pods`;
}
