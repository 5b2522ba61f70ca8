/**
 * Checks method steps one at a time, dispatching on the key that names the step type, so a
 * mistake gets a precise message ("unknown fault kind kil, expected one of kill, pause, …")
 * instead of zod's "no union member matched".
 */
import { z } from 'zod';
import type { ValidationIssue } from '../../errors/index.js';
import type { FaultKind } from '../../faults/types.js';
import { faultStepSchema, waitStep, type Step } from '../schema/experiment.js';
import type { DocPath, StructuredDocument } from './read-document.js';
import { fromZod, issueAt } from './zod-issues.js';
import { closest } from './closest.js';

const STEP_KEYS = ['fault', 'wait', 'sequence', 'parallel', 'random'] as const;
const COMMON_FAULT_KEYS = new Set(['fault', 'name', 'target', 'duration']);

export interface StepOptions {
  /** Put a no-op wait where a step is invalid, so the others keep their index (their paths in messages). */
  keepPlaces?: boolean;
  /**
   * The kind a fault step uses on its targets, when their platform has its own (net-delay on a
   * kubernetes service is a Chaos Mesh fault, with that kind's parameters). Default: by name.
   */
  kindFor?: (name: string, target: unknown) => FaultKind | undefined;
}

export function validateSteps(doc: StructuredDocument, raw: unknown[], path: DocPath, kinds: Record<string, FaultKind>, issues: ValidationIssue[], options: StepOptions = {}): Step[] {
  const steps: Step[] = [];
  raw.forEach((item, i) => {
    const step = validateStep(doc, item, [...path, i], kinds, issues, options);
    if (step) steps.push(step);
    else if (options.keepPlaces) steps.push({ type: 'wait', wait: 0 });
  });
  return steps;
}

function validateStep(doc: StructuredDocument, raw: unknown, path: DocPath, kinds: Record<string, FaultKind>, issues: ValidationIssue[], options: StepOptions): Step | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    issues.push(issueAt(doc, path, `expected a step (an object with one of: ${STEP_KEYS.join(', ')})`));
    return undefined;
  }
  const obj = raw as Record<string, unknown>;
  const present = STEP_KEYS.filter((k) => k in obj);
  if (present.length !== 1) {
    issues.push(
      issueAt(doc, path, present.length === 0 ? `expected a step with one of: ${STEP_KEYS.join(', ')}` : `expected one step type per step, got ${present.join(' and ')}`),
    );
    return undefined;
  }
  const type = present[0]!;
  const name = typeof obj.name === 'string' ? obj.name : undefined;

  if (type === 'fault') {
    const kindName = obj.fault;
    const kind = typeof kindName !== 'string' ? undefined : options.kindFor ? options.kindFor(kindName, obj.target) : Object.hasOwn(kinds, kindName) ? kinds[kindName] : undefined;
    if (!kind) {
      const known = Object.keys(kinds);
      const hint = typeof kindName === 'string' ? closest(kindName, known) : undefined;
      issues.push(issueAt(doc, [...path, 'fault'], `unknown fault kind ${JSON.stringify(kindName)}${hint ? ` (did you mean "${hint}"?)` : ''}; expected one of: ${known.join(', ')}`));
      return undefined;
    }
    const parsed = faultStepSchema(kind).safeParse(obj);
    if (!parsed.success) {
      issues.push(...fromZod(doc, parsed.error, path));
      return undefined;
    }
    const out = parsed.data as Record<string, unknown> & { fault: string; target: Step & object; duration?: number };
    if (kind.timing === 'held' && out.duration === undefined) {
      issues.push(issueAt(doc, path, `fault "${kind.name}" is held for a time: expected a duration (e.g. duration: 10s)`));
    }
    if (kind.timing === 'instant' && out.duration !== undefined) {
      issues.push(issueAt(doc, [...path, 'duration'], `fault "${kind.name}" is a single action and takes no duration; add a wait step after it to observe longer`));
    }
    const params = Object.fromEntries(Object.entries(out).filter(([k]) => !COMMON_FAULT_KEYS.has(k)));
    // The kind's own schema as a whole: rules across its fields (e.g. cpus or memory) that the
    // per-field step schema above cannot see, so they fail here and not at injection.
    const whole = kind.params.safeParse(Object.fromEntries(Object.entries(obj).filter(([k]) => !COMMON_FAULT_KEYS.has(k))));
    if (!whole.success) {
      issues.push(...fromZod(doc, whole.error, path).map((issue) => ({ ...issue, message: `${kind.name}: ${issue.message}` })));
      return undefined;
    }
    return { type: 'fault', fault: kind.name, name, target: out.target as never, duration: out.duration, params };
  }

  if (type === 'wait') {
    const parsed = waitStep.safeParse(obj);
    if (!parsed.success) {
      issues.push(...fromZod(doc, parsed.error, path));
      return undefined;
    }
    return { type: 'wait', name, wait: parsed.data.wait };
  }

  const group = z.strictObject({ name: z.string().optional(), [type]: z.array(z.unknown()).min(1) }).safeParse(obj);
  if (!group.success) {
    issues.push(...fromZod(doc, group.error, path));
    return undefined;
  }
  const children = validateSteps(doc, obj[type] as unknown[], [...path, type], kinds, issues, options);
  return { type, name, steps: children };
}
