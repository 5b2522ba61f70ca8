/**
 * The journal: the record of one run, written as journal.json. Every report is derived from it,
 * and every verdict in it can be re-derived from its time series. Documented in docs/journal.md;
 * a change here is a change to a public format — add fields, do not rename them.
 */
export const JOURNAL_VERSION = 1;

export type RunStatus = 'held' | 'deviated' | 'aborted' | 'revert-failed';
export type Phase = 'preflight' | 'baseline' | 'steady-state-before' | 'method' | 'rollbacks' | 'recovery' | 'steady-state-after' | 'report';

/** One probe result. */
export interface Sample {
  /** ms since the run started, monotonic (performance.now based); for probes, when the probe STARTED. */
  t: number;
  /** `service:<name>` for health checks, `probe:<name>` for hypothesis probes. */
  series: string;
  ok: boolean;
  latencyMs: number;
  /** Short human text, e.g. `status 503 in 12ms`. */
  observed: string;
  error?: string;
}

export interface CheckResult {
  /** What was checked: a probe name, `recovery of api`, … */
  name: string;
  kind: 'steady-state-before' | 'throughout' | 'recovery' | 'steady-state-after' | 'slo';
  ok: boolean;
  observed: string;
  expected: string;
  /** Run time (ms since start) when it was decided. */
  t: number;
}

export type FaultStatus = 'active' | 'reverted' | 'revert-failed' | 'inject-failed';

export interface FaultRecord {
  id: string;
  kind: string;
  driver: string;
  service: string;
  target: string;
  step?: string;
  params: Record<string, unknown>;
  durationMs?: number;
  status: FaultStatus;
  injectedAt: string;
  /** ms since run start. */
  injectedT: number;
  revertedAt?: string;
  revertedT?: number;
  details?: Record<string, unknown>;
  error?: string;
}

export interface ServiceEvent {
  service: string;
  type: 'spawn' | 'exit' | 'restart-scheduled' | 'ready';
  t: number;
  at: string;
  pid?: number;
  code?: number | null;
  signal?: string | null;
  /** true when a supervisor brought the process back after it exited. */
  restart?: boolean;
}

export interface ServiceRecovery {
  service: string;
  /** Faults that targeted this service directly; empty when any impact came through a dependency. */
  faultIds: string[];
  impacted: boolean;
  /** From the fault's injection to the first failed health probe. */
  timeToImpactMs: number | null;
  /** From the end of the fault (its revert; its injection for single-action faults such as kill) to the first probe of a sustained healthy run. */
  timeToRecoverMs: number | null;
  /** From the first failed probe to the first probe of the sustained healthy run. */
  outageMs: number | null;
  impactT: number | null;
  recoveredT: number | null;
  failedProbes: number;
  restarts: number;
  /** The recovery expectation, when the experiment has one and holds this service to it. */
  expectedWithinMs?: number;
  met?: boolean;
}

/** Load figures of one phase of the run (baseline: before the first fault; chaos: first injection to last fault end; recovery: after). */
export interface LoadPhase {
  phase: 'baseline' | 'chaos' | 'recovery';
  startT: number;
  endT: number;
  requests: number;
  errors: number;
  /** Requests per second over the phase. */
  rps: number;
  /** errors / requests (0..1); null without requests. */
  errorRate: number | null;
  /** 1 - errorRate. */
  availability: number | null;
  latencyMs: { p50: number; p90: number; p95: number; p99: number; max: number; mean: number } | null;
  statusCodes: Record<string, number>;
}

/** One bucket of the load time series (1 s or finer). */
export interface LoadBucket {
  /** Bucket start, ms since run start. */
  t: number;
  durationMs: number;
  requests: number;
  errors: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number } | null;
}

export interface LoadRecord {
  /** `builtin` (faultline's generator), or the external tool: k6, artillery, autocannon, command. */
  tool: string;
  /** Requested vs achieved, so a rate the machine cannot reach is visible. */
  requestedRate?: number;
  achievedRate?: number;
  /** Requests sent later than their intended time (open model). */
  lateRequests?: number;
  phases: LoadPhase[];
  buckets: LoadBucket[];
  /** External tools: their exit code and the tail of their output. */
  command?: { argv: string[]; exitCode: number | null; output: string };
  error?: string;
}

export interface Journal {
  version: typeof JOURNAL_VERSION;
  runId: string;
  title: string;
  experimentFile: string;
  systemFile: string;
  status: RunStatus;
  exitCode: 0 | 1 | 3 | 4;
  /** Why the run deviated or aborted, in one or more sentences. */
  reasons: string[];
  startedAt: string;
  endedAt: string;
  durationMs: number;
  seed: number;
  probeIntervalMs: number;
  phases: { phase: Phase; startT: number; endT: number }[];
  steadyState: { before: CheckResult[]; during: CheckResult[]; after: CheckResult[] };
  faults: FaultRecord[];
  rollbacks: { name: string; ok: boolean; output: string; t: number }[];
  recovery: ServiceRecovery[];
  serviceEvents: ServiceEvent[];
  verdicts: CheckResult[];
  timeSeries: Sample[];
  /** Present when the experiment ran load. */
  load?: LoadRecord;
  experiment: unknown;
}
