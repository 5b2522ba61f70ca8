/**
 * Blast radius: before the first fault, resolve every target any step could touch (every
 * alternative of a random choice included) and refuse a run that would touch too much.
 */
import type { FaultKind, FaultTarget } from '../../faults/types.js';
import type { Step, TargetRef } from '../schema/experiment.js';
import type { Guardrails } from '../schema/guardrails.js';

export interface BlastRadius {
  /** Every target by label, with the fault kinds that may hit it. */
  targets: { target: FaultTarget; kinds: string[] }[];
  /** Why the run must not start, if it must not. */
  refusal?: string;
}

function refsOf(target: TargetRef): string[] {
  if (typeof target === 'string') return [target];
  return Array.isArray(target) ? target : target.random;
}

export function faultSteps(steps: Step[]): Extract<Step, { type: 'fault' }>[] {
  return steps.flatMap((s) => (s.type === 'fault' ? [s] : s.type === 'wait' ? [] : faultSteps(s.steps)));
}

export async function assessBlastRadius(
  steps: Step[],
  guardrails: Guardrails,
  kinds: Record<string, FaultKind>,
  resolve: (kind: FaultKind, ref: string) => Promise<FaultTarget[]>,
  kindFor: (name: string, ref: string) => FaultKind = (name) => kinds[name]!,
): Promise<BlastRadius> {
  const byLabel = new Map<string, { target: FaultTarget; kinds: string[]; touched: number; unit?: string }>();
  const share = new Map<string, { touched: number; of: number }>();
  for (const step of faultSteps(steps)) {
    for (const ref of refsOf(step.target)) {
      const kind = kindFor(step.fault, ref);
      const targets = await resolve(kind, ref);
      const params = kind.params.parse(step.params);
      let touched = 0;
      let of = 0;
      for (const target of targets) {
        await kind.check?.(target, params);
        // A target that stands for several things (a service's pods) counts as those the fault takes.
        const reach = kind.reach?.(target, params) ?? { touched: 1, of: 1 };
        touched += reach.touched;
        of += reach.of;
        const entry = byLabel.get(target.label) ?? { target, kinds: [], touched: 0 };
        if (!entry.kinds.includes(kind.name)) entry.kinds.push(kind.name);
        entry.touched = Math.max(entry.touched, reach.touched);
        if ('unit' in reach) entry.unit = reach.unit;
        byLabel.set(target.label, entry);
      }
      const before = share.get(ref);
      if (!before || touched / Math.max(of, 1) > before.touched / Math.max(before.of, 1)) share.set(ref, { touched, of });
    }
  }
  const entries = [...byLabel.values()];
  const count = entries.reduce((n, e) => n + e.touched, 0);
  const listed = entries.map((e) => (e.unit ? `${e.target.label}: ${e.touched} ${e.unit}` : e.target.label)).join(', ');
  let refusal: string | undefined;
  if (count > guardrails.maxTargets) {
    refusal = `blast radius: the method could touch ${count} targets, more than guardrails.maxTargets (${guardrails.maxTargets}): ${listed}`;
  } else if (guardrails.maxPercent < 1) {
    // A process or container step acts on every replica a reference resolves to (100%); a pod
    // fault on the share its mode takes.
    const over = [...share.entries()].filter(([, s]) => s.touched > 0 && s.touched / Math.max(s.of, 1) > guardrails.maxPercent);
    if (over.length > 0) {
      refusal = `blast radius: faults act on ${over.map(([ref, s]) => `${s.touched} of ${s.of} replicas of ${ref}`).join(', ')}, more than guardrails.maxPercent (${Math.round(guardrails.maxPercent * 100)}%)`;
    }
  }
  return { targets: entries.map(({ target, kinds }) => ({ target, kinds })), ...(refusal ? { refusal } : {}) };
}
