/**
 * Parameter pieces every Chaos Mesh kind shares: the pod mode, and the way a parameter of
 * faultline's own kind that Chaos Mesh cannot express is refused — with what to use instead —
 * rather than dropped (an experiment moved to a cluster must not quietly do less).
 */
import { z } from 'zod';
import { chaosMeshMode, type PodMode } from '../pod-mode.js';
import { goDuration } from './go-duration.js';
import type { ChaosMeshSelection } from './types.js';

/** Accepted by the step so its message can say why, refused whatever its value. */
export function refused(message: string) {
  return z
    .unknown()
    .refine((v) => v === undefined, { message })
    .optional()
    .describe(`Not available on Kubernetes: ${message}`);
}

/** One of the values faultline's kind takes, accepted only where it means what Chaos Mesh does. */
export function onlyValues<const T extends readonly [string, ...string[]]>(all: T, allowed: readonly T[number][], message: string) {
  return z
    .enum(all)
    .optional()
    .refine((v) => v === undefined || allowed.includes(v), { message })
    .describe(`On Kubernetes only ${allowed.join(' or ')}: ${message}`);
}

/** A whole percentage (Chaos Mesh's percent and load fields are integers). */
export function wholePercent(p: number): boolean {
  return Number.isInteger(p);
}

export function selectorOf(selection: ChaosMeshSelection): Record<string, unknown> {
  return { namespaces: [selection.namespace], labelSelectors: { ...selection.labelSelectors } };
}

/**
 * The fields every chaos spec starts with: selector, mode/value, the containers where the kind
 * takes them, and the duration when there is one (a Workflow's template deadline replaces it).
 */
export function commonSpec(mode: PodMode, selection: ChaosMeshSelection, durationMs: number | undefined, options: { containers?: boolean } = {}): Record<string, unknown> {
  return {
    selector: selectorOf(selection),
    ...chaosMeshMode(mode),
    ...(options.containers && selection.containerNames?.length ? { containerNames: [...selection.containerNames] } : {}),
    ...(durationMs !== undefined ? { duration: goDuration(durationMs) } : {}),
  };
}
