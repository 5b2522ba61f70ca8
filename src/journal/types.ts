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
  /** `service:<name>` for health checks, `probe:<name>` for hypothesis probes, `guardrail:<name>` for PromQL guardrail readings. */
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
  /** ms since run start, when the injection began: the start of the fault window (a restart's outage starts with its stop). */
  injectedT: number;
  /** When the injection returned (a restart: after stop and start). */
  appliedT?: number;
  revertedAt?: string;
  /** When the fault stopped acting: its revert returned, it ended early, or (single actions) the injection returned. */
  revertedT?: number;
  details?: Record<string, unknown>;
  error?: string;
  /** Reverted, but the ledger could not record it: it still looks open there, and a later recover reverts it again (harmless). */
  ledgerError?: string;
  /** The fault stopped acting before its duration ended (a proxy toxic whose keep-alive lapsed), and why. */
  endedEarly?: { t: number; reason: string };
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
  /** Docker services: the container (name) the event happened to. */
  container?: string;
  /** true when the kernel's OOM killer ended it (an `exit` of a container that hit its memory limit). */
  oom?: boolean;
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
  /** From the start of the service's fault window to its first restart (a `spawn` with restart: true): how long its supervisor, restart policy or Swarm took to run it again. Absent without a restart. */
  timeToRestartMs?: number;
  /** From the start of the fault window to the first `ready` after that restart (a container's HEALTHCHECK healthy, a supervised process's health check passing). Absent when none was recorded. */
  timeToReadyMs?: number;
  /** The recovery expectation, when the experiment has one and holds this service to it. */
  expectedWithinMs?: number;
  met?: boolean;
  /** Set when the run was aborted and its shortened recovery watch ended before the service was seen recovered: timeToRecoverMs is null because recovery was not measured, not because it failed. */
  notMeasured?: 'aborted';
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
  /** Requests due that never left (open model: no free connection before the load stopped); they never reached the server. Counted in the phases as errors (`not-sent`). */
  notSent?: number;
  /** Requests sent but still unanswered when the load's drain ended; the server may have them. Counted in the phases as errors (`cut-off`). */
  cutOff?: number;
  phases: LoadPhase[];
  buckets: LoadBucket[];
  /** External tools: their exit code and the tail of their output. */
  command?: { argv: string[]; exitCode: number | null; output: string };
  /** k6 run on a cluster by the k6 operator: what the TestRun did (no per-request figures: see `note`). */
  k6Operator?: K6OperatorRecord;
  error?: string;
}

export interface K6OperatorRecord {
  context?: string;
  namespace: string;
  testRun: string;
  configMap: string;
  parallelism: number;
  arguments?: string;
  /** The last status.stage the operator set (absent: it set none while the run watched). */
  stage?: string;
  /** Each stage seen, with the run time it was first seen (read every second or so). */
  stages: { stage: string; t: number }[];
  /** The run ended before the TestRun finished: faultline deleted it, stopping its runners mid-test. */
  cutShort: boolean;
  /** The TestRun and ConfigMap were deleted at the end (else `faultline recover` deletes them). */
  deleted: boolean;
  note: string;
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
  /** The system's dependsOn graph and critical flags (filled by the runner with systemGraph() from src/analysis). */
  system?: SystemGraph;
  /** The analysis of this run (filled by the runner with analyzeJournal(); `faultline report` derives it when missing). */
  analysis?: Analysis;
  /** The approval the run went ahead on, when the experiment or its system needs one (docs/approvals.md). */
  approval?: RunApproval;
}

/** Who approved the content a run ran, when, until when, and the content's sha256 (docs/approvals.md). */
export interface RunApproval {
  by: string;
  /** When the approval was recorded. */
  at: string;
  expiresAt: string;
  /** sha256 (hex) of the resolved experiment and system. */
  hash: string;
  reason?: string;
}

// ---- Added for reports (issue 5): optional, so journals written before them stay valid. ----

/** The system's dependency graph as the run saw it: what cascade analysis compares propagation with. */
export interface SystemGraph {
  services: Record<string, { dependsOn: string[]; critical: boolean }>;
}

/** Availability of one service's health probes in one phase of the run. */
export interface PhaseAvailability {
  phase: Phase;
  startT: number;
  endT: number;
  samples: number;
  ok: number;
  /** ok / samples (0..1); null without samples. */
  availability: number | null;
}

/** One service, as the analysis sees it: the recovery record's figures plus availability per phase. */
export interface ServiceAnalysis {
  service: string;
  critical: boolean;
  dependsOn: string[];
  /** A fault targeted this service directly. */
  targeted: boolean;
  impacted: boolean;
  timeToImpactMs: number | null;
  timeToRecoverMs: number | null;
  outageMs: number | null;
  failedProbes: number;
  restarts: number;
  expectedWithinMs?: number;
  met?: boolean;
  /** As in ServiceRecovery: recovery not measured (the run was aborted). */
  notMeasured?: 'aborted';
  availability: PhaseAvailability[];
  /** Health samples from the first injection to the end of the run that were ok (0..1). */
  availabilityUnderChaos: number | null;
}

/** One service failing in a cascade. */
export interface CascadeStep {
  service: string;
  /** Run time of its first failed health probe in this episode. */
  t: number;
  /** ms after the episode's first injection. */
  offsetMs: number;
  /** `down`, `5xx`, `4xx`, `timing out`, `unhealthy`: read from the failed probe's observed text. */
  state: string;
  observed: string;
  /** A fault of this episode targeted it. */
  root: boolean;
  /**
   * Does the dependsOn graph explain it? true for a root, or when the service depends (directly or
   * through other services) on a root or on a service that failed before it in this episode.
   * null when the journal has no graph.
   */
  explained: boolean | null;
  /** The dependsOn path that explains it, e.g. [gateway, cart, store]. */
  via?: string[];
}

/** Faults whose windows overlap form one episode; its cascade is the order in which services failed. */
export interface Cascade {
  faultIds: string[];
  /** e.g. `kill store`. */
  faults: string[];
  startT: number;
  /** Failures are attributed to this episode until this time (the next episode, or the end of the run). */
  endT: number;
  steps: CascadeStep[];
  /** Services that depend on a root (directly or not) and stayed healthy. */
  contained: string[];
  /** Failures the graph does not explain (their service names). */
  unexplained: string[];
  /** One line, e.g. `kill store: store down at +0.21 s -> cart 5xx at +0.43 s`. */
  summary: string;
}

export interface SubScore {
  /** 0..100; null when it does not apply to this run (e.g. isolation with one service). */
  score: number | null;
  weight: number;
  /** One line: how it was computed, with the numbers. */
  explanation: string;
}

export interface ResilienceScore {
  /** Weighted mean of the sub-scores that apply, 0..100; null when no fault was applied. */
  total: number | null;
  explanation: string;
  recovery: SubScore;
  isolation: SubScore;
  degradation: SubScore;
  safety: SubScore;
}

export interface Maturity {
  level: 1 | 2 | 3 | 4 | 5;
  name: string;
  /** Why this level, and what the next one needs. */
  explanation: string;
}

export interface ErrorBudget {
  /** Availability objective (0..1), from an availability / error-rate SLO of the experiment, else 0.999. */
  objective: number;
  objectiveSource: string;
  /** What was counted: `load` (requests), `probes` (hypothesis probe samples) or `health` (service health samples). */
  source: 'load' | 'probes' | 'health';
  /** Requests or samples counted, and how many failed. */
  total: number;
  bad: number;
  /** bad / total over the run. */
  badFraction: number;
  /** badFraction / (1 - objective): 1 spends the budget exactly at the sustainable pace. */
  burnRate: number;
  /** The run's failures as an equivalent full outage: badFraction × the observed time. */
  badMs: number;
  /** The budget of the period: (1 - objective) × periodMs. */
  periodMs: number;
  budgetMs: number;
  /** badMs / budgetMs × 100: share of the period's budget this run used. */
  usedPercent: number;
  explanation: string;
}

/** Derived from the journal's own records by analyzeJournal() (src/analysis): re-derivable at any time. */
export interface Analysis {
  version: 1;
  services: ServiceAnalysis[];
  cascades: Cascade[];
  score: ResilienceScore;
  maturity: Maturity;
  errorBudget: ErrorBudget | null;
  /** Longest time to recover over impacted services (null: none impacted, or one never recovered). */
  timeToRecoverMs: number | null;
  /** Every impacted service recovered. */
  allRecovered: boolean;
}
