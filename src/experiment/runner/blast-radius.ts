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
): Promise<BlastRadius> {
  const byLabel = new Map<string, { target: FaultTarget; kinds: string[] }>();
  const replicas = new Map<string, number>();
  for (const step of faultSteps(steps)) {
    const kind = kinds[step.fault]!;
    for (const ref of refsOf(step.target)) {
      const targets = await resolve(kind, ref);
      replicas.set(ref, targets.length);
      for (const target of targets) {
        const entry = byLabel.get(target.label) ?? { target, kinds: [] };
        if (!entry.kinds.includes(kind.name)) entry.kinds.push(kind.name);
        byLabel.set(target.label, entry);
      }
    }
  }
  const targets = [...byLabel.values()];
  let refusal: string | undefined;
  if (targets.length > guardrails.maxTargets) {
    refusal = `blast radius: the method could touch ${targets.length} targets, more than guardrails.maxTargets (${guardrails.maxTargets}): ${targets.map((t) => t.target.label).join(', ')}`;
  } else if (guardrails.maxPercent < 1) {
    // A step acts on every process a reference resolves to, so it touches 100% of those replicas.
    const over = [...replicas.entries()].filter(([, n]) => n > 0);
    if (over.length > 0) {
      refusal = `blast radius: faults act on every replica of ${over.map(([ref, n]) => `${ref} (${n})`).join(', ')}, more than guardrails.maxPercent (${Math.round(guardrails.maxPercent * 100)}%)`;
    }
  }
  return { targets, ...(refusal ? { refusal } : {}) };
}
