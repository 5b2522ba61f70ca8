/**
 * The experiment file. One schema serves YAML, JSON and TypeScript (`defineExperiment`).
 * Fault steps are built from the registry of fault kinds, so each kind's parameters are checked
 * (and offered to editors through `faultline schema`).
 */
import { z } from 'zod';
import type { FaultKind } from '../../faults/types.js';
import { duration, exactlyOneCall, expectation, probeCall } from './common.js';
import { DEFAULT_GUARDRAILS, guardrailsSchema, type Guardrails } from './guardrails.js';
import { loadSchema, slosSchema } from './load.js';
import type { LoadSpec } from '../../load/spec.js';
import type { Slo } from '../../observe/slo.js';

export const targetRef = z
  .union([
    z.string().min(1),
    z.array(z.string().min(1)).min(1),
    z.strictObject({ random: z.array(z.string().min(1)).min(1).describe('Pick one of these services at random') }),
  ])
  .describe('A service name (or service.proxy), a list of them (all), or { random: [a, b] } (one of them)');

export const probe = z
  .strictObject({
    name: z.string().min(1),
    ...probeCall,
    expect: expectation.optional(),
    throughout: z.boolean().default(false).describe('The probe must also hold while faults are active (otherwise it is only observed then)'),
  })
  .superRefine(exactlyOneCall)
  .superRefine((p, ctx) => {
    // increase is counted by faultline between its own scrapes; PromQL has increase() for that.
    if (p.prometheus !== undefined && p.expect?.increase !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['expect', 'increase'], message: 'prometheus probes take a value tolerance: compute the growth in the query, e.g. increase(metric[1m]), and bound it with expect.value' });
    }
  });

const httpAction = z.union([z.url(), z.strictObject({ url: z.url(), method: z.string().default('POST'), headers: z.record(z.string(), z.string()).optional(), body: z.string().optional() })]);

export const rollbackAction = z.union([
  z.strictObject({ name: z.string().optional(), restart: z.string().min(1).describe('Restart this service') }),
  z.strictObject({ name: z.string().optional(), command: z.union([z.string().min(1), z.array(z.string()).min(1)]), timeout: duration.default(30_000) }),
  z.strictObject({ name: z.string().optional(), http: httpAction, timeout: duration.default(10_000) }),
]);

export const recoveryExpectation = z
  .strictObject({
    within: duration.describe('Every watched service must be healthy again within this time after the last fault ends'),
    sustained: z.number().int().min(1).default(3).describe('Consecutive healthy probes that count as recovered'),
    services: z.array(z.string()).optional().describe('Services to hold to this (default: every service with a health check)'),
    observe: duration.optional().describe('Keep watching (and the load running) at least this long after the method ends, even once everything has recovered: a recovery phase of a set length for the load figures'),
  })
  .describe('Recovery expectation');

/** The fields every fault step has, whatever its kind. */
const faultStepCommon = {
  name: z.string().optional(),
  target: targetRef,
  duration: duration.optional().describe('How long a held fault stays in effect'),
};

export function faultStepSchema(kind: FaultKind): z.ZodType {
  const params = kind.params as unknown;
  const shape = params instanceof z.ZodObject ? (params.shape as z.ZodRawShape) : {};
  return z.strictObject({ fault: z.literal(kind.name), ...faultStepCommon, ...shape }).describe(kind.summary);
}

export const waitStep = z.strictObject({ name: z.string().optional(), wait: duration });

/** Steps that contain steps. Built lazily because steps nest. */
export function stepSchemas(kinds: Record<string, FaultKind>): { step: z.ZodType; faultSteps: Map<string, z.ZodType> } {
  const faultSteps = new Map(Object.values(kinds).map((k) => [k.name, faultStepSchema(k)] as const));
  const step: z.ZodType = z.lazy(() =>
    z.union([
      ...faultSteps.values(),
      waitStep,
      z.strictObject({ name: z.string().optional(), sequence: z.array(step).min(1) }),
      z.strictObject({ name: z.string().optional(), parallel: z.array(step).min(1) }),
      z.strictObject({ name: z.string().optional(), random: z.array(step).min(1).describe('Run one of these steps, picked at random') }),
    ] as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]),
  );
  return { step, faultSteps };
}

/** The experiment's top level. `method` and `rollbacks` items are checked step by step by the validator for precise messages. */
export function experimentSchema(step: z.ZodType) {
  return z
    .strictObject({
      $schema: z.string().optional(),
      title: z.string().min(1),
      description: z.string().optional(),
      tags: z.array(z.string()).default([]),
      system: z.string().optional().describe('System file, relative to this file (or use --system)'),
      seed: z.number().int().optional().describe('Seed for random choices, for a repeatable run'),
      requiresApproval: z.boolean().optional().describe('Run only with a valid approval of this exact content (`faultline approve`); see docs/approvals.md'),
      probeInterval: duration.optional().describe('Interval of continuous probes (default 250ms)'),
      baseline: duration.default(0).describe('Observe steady state this long before the first fault'),
      hypothesis: z
        .strictObject({ probes: z.array(probe).default([]) })
        .default({ probes: [] })
        .describe('Steady state: probes checked before, during and after the method'),
      method: z.array(step).min(1),
      rollbacks: z.array(rollbackAction).default([]),
      recovery: recoveryExpectation.optional(),
      maxDuration: duration.default(600_000).describe('Abort the run if it lasts longer than this'),
      guardrails: guardrailsSchema.default(DEFAULT_GUARDRAILS),
      load: loadSchema.optional().describe('Traffic during the whole run: the built-in generator or an external tool'),
      slos: slosSchema,
    })
    .describe('faultline experiment');
}

// ---- Output types (what the runner works with: durations in ms, defaults filled) ----

export type TargetRef = z.output<typeof targetRef>;
export type Probe = z.output<typeof probe>;
export type RollbackAction = z.output<typeof rollbackAction>;
export type RecoveryExpectation = z.output<typeof recoveryExpectation>;

export interface FaultStep {
  fault: string;
  name?: string;
  target: TargetRef;
  duration?: number;
  /** Kind-specific parameters, validated by the kind's schema. */
  params: Record<string, unknown>;
}
export type Step =
  | ({ type: 'fault' } & FaultStep)
  | { type: 'wait'; name?: string; wait: number }
  | { type: 'sequence'; name?: string; steps: Step[] }
  | { type: 'parallel'; name?: string; steps: Step[] }
  | { type: 'random'; name?: string; steps: Step[] };

export interface Experiment {
  title: string;
  description?: string;
  tags: string[];
  system?: string;
  seed?: number;
  /** Runs only with a valid `faultline approve` of this content (docs/approvals.md). */
  requiresApproval?: boolean;
  probeInterval?: number;
  baseline: number;
  hypothesis: { probes: Probe[] };
  method: Step[];
  rollbacks: RollbackAction[];
  recovery?: RecoveryExpectation;
  maxDuration: number;
  guardrails: Guardrails;
  load?: LoadSpec;
  slos: Slo[];
}

/** What a TypeScript experiment file exports: the input shape (durations may be strings). */
export type ExperimentInput = z.input<ReturnType<typeof experimentSchema>>;
