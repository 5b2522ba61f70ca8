/** The experiment's `guardrails:` block: what stops a run, what it may touch, and when it may run. */
import { z } from 'zod';
import { WEEKDAYS } from '../../safety/time-windows.js';
import { duration } from '../../util/duration-schema.js';
import { prometheusConnection, promqlAggregate } from './common.js';

/** `90%`, `0.5%`, or a number of percent (90). Parsed to a fraction (0.9). */
export const percent = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const n = typeof value === 'number' ? value : /^\s*\d+(\.\d+)?\s*%\s*$/.test(value) ? Number.parseFloat(value) : Number.NaN;
    if (!Number.isFinite(n) || n < 0 || n > 100) {
      ctx.addIssue({ code: 'custom', message: `expected a percentage such as 90% or 0.5%, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return n / 100;
  })
  .describe('A percentage: 90%, 0.5%, or a number of percent');

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time of day as HH:MM (24h)');

const timeRule = z.strictObject({
  days: z.array(z.enum(WEEKDAYS)).min(1).optional(),
  daysOfMonth: z.array(z.number().int().min(1).max(31)).min(1).optional(),
  dates: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')).min(1).optional(),
  from: hhmm.optional(),
  to: hhmm.optional(),
});

export const timezone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected an IANA time zone such as UTC or Europe/Berlin' },
);

const window = duration.default(10_000);

export const guardrail = z.union([
  z.strictObject({ availability: z.strictObject({ below: percent, window, service: z.string().optional() }) }),
  z.strictObject({ errorRate: z.strictObject({ above: percent, window }) }),
  z.strictObject({ p95: z.strictObject({ above: duration, window }) }),
  z.strictObject({ probe: z.string().min(1).describe('A hypothesis probe name'), failures: z.number().int().min(1).default(3) }),
]);

/** A PromQL guardrail: abort when the query's value leaves [min, max] for `for`. */
export const prometheusGuardrail = z
  .strictObject({
    name: z.string().min(1).optional().describe('How reports and the dashboard call it (default: the query)'),
    ...prometheusConnection,
    query: z.string().trim().min(1, 'expected a PromQL query').describe('An instant PromQL query with a scalar or one-series result'),
    aggregate: promqlAggregate.optional(),
    max: z.number().optional().describe('Abort when the value is above this'),
    min: z.number().optional().describe('Abort when the value is below this'),
    for: duration.default(0).describe('The bound must be broken this long (on every evaluation) before the run aborts; 0: at the first evaluation that breaks it'),
    interval: duration.default(1000).describe('Time between evaluations'),
    timeout: duration.optional().describe('Give up on one evaluation after this long (default: the interval, at most 5s)'),
    onNoData: z
      .enum(['continue', 'abort'])
      .default('continue')
      .describe('When the query has no value (Prometheus does not answer, an error, no series, NaN): continue (warn once) or abort'),
  })
  .refine((g) => g.min !== undefined || g.max !== undefined, { message: 'expected max, min or both: the bound that aborts the run' })
  .refine((g) => g.min === undefined || g.max === undefined || g.min <= g.max, { message: 'expected min <= max' })
  .refine((g) => g.interval >= 100, { path: ['interval'], message: 'expected an interval of at least 100ms' });

/** Allowed and denied time windows (src/safety/time-windows.ts); the scheduler's jobs take the same. */
export const timeWindows = z.strictObject({ allow: z.array(timeRule).optional(), deny: z.array(timeRule).optional(), timezone: timezone.optional() });

export const guardrailsSchema = z
  .strictObject({
    abortIf: z.array(guardrail).default([]).describe('Abort (and revert everything) as soon as one of these holds while faults are active'),
    prometheus: z.array(prometheusGuardrail).default([]).describe('PromQL guardrails: abort (and revert everything) when a query leaves its bounds while faults are active'),
    maxTargets: z.number().int().min(1).default(10).describe('Refuse a run whose faults would touch more targets than this'),
    maxPercent: percent.default(100).describe("Refuse a run that would touch more than this share of a service's processes"),
    exclude: z.array(z.string()).default([]).describe('Services no fault may target'),
    allowCritical: z.boolean().default(false).describe('Allow faults on services marked critical'),
    criticalFailures: z.number().int().min(1).default(2).describe('Consecutive failed probes of an untargeted critical service that abort the run'),
    windows: timeWindows.optional().describe('When the experiment may run: checked before the start and before each step'),
  })
  .describe('Guardrails');

export type Guardrails = z.output<typeof guardrailsSchema>;
export const DEFAULT_GUARDRAILS: Guardrails = guardrailsSchema.parse({});
