/**
 * The journal's schema in zod, mirroring the `Journal` type (src/journal/types.ts; a test checks
 * the two agree). Published as JSON Schema in schema/journal.schema.json; `faultline report`
 * checks journals against it. Objects accept fields they do not know: journals gain fields over
 * time (docs/journal.md), and a reader of an older version must not reject a newer journal.
 */
import { z } from 'zod';

const ms = z.number().describe('milliseconds');
const runT = z.number().describe('ms since the run started (monotonic clock)');
const iso = z.string().describe('ISO 8601 wall-clock time');
const nullableMs = ms.nullable();
const phase = z.enum(['preflight', 'baseline', 'steady-state-before', 'method', 'rollbacks', 'recovery', 'steady-state-after', 'report']);

export const sampleSchema = z.object({
  t: runT.describe("the probe's start, ms since the run started"),
  series: z.string().describe('`service:<name>` (health check), `probe:<name>` (hypothesis probe) or `guardrail:<name>` (a PromQL guardrail\'s readings)'),
  ok: z.boolean(),
  latencyMs: ms,
  observed: z.string(),
  error: z.string().optional(),
});

export const checkResultSchema = z.object({
  name: z.string(),
  kind: z.enum(['steady-state-before', 'throughout', 'recovery', 'steady-state-after', 'slo']),
  ok: z.boolean(),
  observed: z.string(),
  expected: z.string(),
  t: runT,
});

export const faultRecordSchema = z.object({
  id: z.string(),
  kind: z.string(),
  driver: z.string(),
  service: z.string(),
  target: z.string(),
  step: z.string().optional(),
  params: z.record(z.string(), z.unknown()),
  durationMs: ms.optional(),
  status: z.enum(['active', 'reverted', 'revert-failed', 'inject-failed']),
  injectedAt: iso,
  injectedT: runT.describe('when the injection began: the start of the fault window'),
  appliedT: runT.optional().describe('when the injection returned (a restart: after stop and start)'),
  revertedAt: iso.optional(),
  revertedT: runT.optional().describe('when the fault stopped acting: its revert returned, it ended early, or (single actions) the injection returned'),
  details: z.record(z.string(), z.unknown()).optional(),
  error: z.string().optional(),
  ledgerError: z.string().optional().describe('reverted, but the ledger could not record it: a later recover reverts it again (harmless)'),
  endedEarly: z.object({ t: runT, reason: z.string() }).optional().describe('the fault stopped acting before its duration ended (e.g. a proxy toxic whose keep-alive lapsed)'),
});

export const serviceEventSchema = z.object({
  service: z.string(),
  type: z.enum(['spawn', 'exit', 'restart-scheduled', 'ready']),
  t: runT,
  at: iso,
  pid: z.number().optional(),
  code: z.number().nullable().optional(),
  signal: z.string().nullable().optional(),
  restart: z.boolean().optional(),
  container: z.string().optional().describe('docker services: the container it happened to'),
  oom: z.boolean().optional().describe('the kernel\'s OOM killer ended it'),
});

export const serviceRecoverySchema = z.object({
  service: z.string(),
  faultIds: z.array(z.string()),
  impacted: z.boolean(),
  timeToImpactMs: nullableMs,
  timeToRecoverMs: nullableMs,
  outageMs: nullableMs,
  impactT: runT.nullable(),
  recoveredT: runT.nullable(),
  failedProbes: z.number(),
  restarts: z.number(),
  timeToRestartMs: ms.optional().describe('fault window start → first restart (spawn with restart: true)'),
  timeToReadyMs: ms.optional().describe('fault window start → first ready (healthy) after that restart'),
  expectedWithinMs: ms.optional(),
  met: z.boolean().optional(),
  notMeasured: z.literal('aborted').optional().describe('the run was aborted before this service was seen recovering: timeToRecoverMs is null because recovery was not measured'),
});

const latency = z.object({ p50: ms, p90: ms, p95: ms, p99: ms, max: ms, mean: ms });

export const loadRecordSchema = z.object({
  tool: z.string(),
  requestedRate: z.number().optional(),
  achievedRate: z.number().optional(),
  lateRequests: z.number().optional(),
  notSent: z.number().optional().describe('requests due that never left (no free connection before the load stopped): they never reached the server'),
  cutOff: z.number().optional().describe('requests sent but still unanswered when the load\'s drain ended'),
  phases: z.array(
    z.object({
      phase: z.enum(['baseline', 'chaos', 'recovery']),
      startT: runT,
      endT: runT,
      requests: z.number(),
      errors: z.number(),
      rps: z.number(),
      errorRate: z.number().nullable(),
      availability: z.number().nullable(),
      latencyMs: latency.nullable(),
      statusCodes: z.record(z.string(), z.number()),
    }),
  ),
  buckets: z.array(
    z.object({
      t: runT,
      durationMs: ms,
      requests: z.number(),
      errors: z.number(),
      latencyMs: z.object({ p50: ms, p95: ms, p99: ms, max: ms }).nullable(),
    }),
  ),
  command: z.object({ argv: z.array(z.string()), exitCode: z.number().nullable(), output: z.string() }).optional(),
  k6Operator: z
    .object({
      context: z.string().optional(),
      namespace: z.string(),
      testRun: z.string(),
      configMap: z.string(),
      parallelism: z.number(),
      arguments: z.string().optional(),
      stage: z.string().optional(),
      stages: z.array(z.object({ stage: z.string(), t: runT })),
      cutShort: z.boolean(),
      deleted: z.boolean(),
      note: z.string(),
    })
    .optional(),
  error: z.string().optional(),
});

export const systemGraphSchema = z.object({
  services: z.record(z.string(), z.object({ dependsOn: z.array(z.string()), critical: z.boolean() })),
});

const subScore = z.object({ score: z.number().nullable(), weight: z.number(), explanation: z.string() });

export const analysisSchema = z.object({
  version: z.literal(1),
  services: z.array(
    z.object({
      service: z.string(),
      critical: z.boolean(),
      dependsOn: z.array(z.string()),
      targeted: z.boolean(),
      impacted: z.boolean(),
      timeToImpactMs: nullableMs,
      timeToRecoverMs: nullableMs,
      outageMs: nullableMs,
      failedProbes: z.number(),
      restarts: z.number(),
      expectedWithinMs: ms.optional(),
      met: z.boolean().optional(),
      notMeasured: z.literal('aborted').optional(),
      availability: z.array(z.object({ phase, startT: runT, endT: runT, samples: z.number(), ok: z.number(), availability: z.number().nullable() })),
      availabilityUnderChaos: z.number().nullable(),
    }),
  ),
  cascades: z.array(
    z.object({
      faultIds: z.array(z.string()),
      faults: z.array(z.string()),
      startT: runT,
      endT: runT,
      steps: z.array(
        z.object({
          service: z.string(),
          t: runT,
          offsetMs: ms,
          state: z.string(),
          observed: z.string(),
          root: z.boolean(),
          explained: z.boolean().nullable(),
          via: z.array(z.string()).optional(),
        }),
      ),
      contained: z.array(z.string()),
      unexplained: z.array(z.string()),
      summary: z.string(),
    }),
  ),
  score: z.object({ total: z.number().nullable(), explanation: z.string(), recovery: subScore, isolation: subScore, degradation: subScore, safety: subScore }),
  maturity: z.object({ level: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]), name: z.string(), explanation: z.string() }),
  errorBudget: z
    .object({
      objective: z.number(),
      objectiveSource: z.string(),
      source: z.enum(['load', 'probes', 'health']),
      total: z.number(),
      bad: z.number(),
      badFraction: z.number(),
      burnRate: z.number(),
      badMs: ms,
      periodMs: ms,
      budgetMs: ms,
      usedPercent: z.number(),
      explanation: z.string(),
    })
    .nullable(),
  timeToRecoverMs: nullableMs,
  allRecovered: z.boolean(),
});

export const journalSchema = z
  .looseObject({
    version: z.literal(1),
    runId: z.string(),
    title: z.string(),
    experimentFile: z.string(),
    systemFile: z.string(),
    status: z.enum(['held', 'deviated', 'aborted', 'revert-failed']),
    exitCode: z.union([z.literal(0), z.literal(1), z.literal(3), z.literal(4)]),
    reasons: z.array(z.string()),
    startedAt: iso,
    endedAt: iso,
    durationMs: ms,
    seed: z.number(),
    probeIntervalMs: ms,
    phases: z.array(z.object({ phase, startT: runT, endT: runT })),
    steadyState: z.object({ before: z.array(checkResultSchema), during: z.array(checkResultSchema), after: z.array(checkResultSchema) }),
    faults: z.array(faultRecordSchema),
    rollbacks: z.array(z.object({ name: z.string(), ok: z.boolean(), output: z.string(), t: runT })),
    recovery: z.array(serviceRecoverySchema),
    serviceEvents: z.array(serviceEventSchema),
    verdicts: z.array(checkResultSchema),
    timeSeries: z.array(sampleSchema),
    load: loadRecordSchema.optional(),
    experiment: z.unknown().describe('the validated experiment as run (durations in ms, defaults filled)'),
    system: systemGraphSchema.optional(),
    analysis: analysisSchema.optional(),
    approval: z
      .object({ by: z.string(), at: iso, expiresAt: iso, hash: z.string().regex(/^[0-9a-f]{64}$/), reason: z.string().optional() })
      .optional()
      .describe('the approval the run went ahead on (docs/approvals.md)'),
  })
  .describe('faultline journal: the record of one run (docs/journal.md)');

/** The JSON Schema of journal.json (draft 2020-12), as published in schema/journal.schema.json. */
export function journalJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(journalSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'faultline journal' };
}
