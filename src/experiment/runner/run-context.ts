/**
 * The state one run carries from phase to phase. Every phase (src/experiment/runner/phases/)
 * reads and fills this one object instead of sharing closures, so each can be read and tested
 * alone. `openRun` acquires what the run holds (ledger, runtime, abort wiring); `closeRun` gives
 * it all back, whatever happened.
 */
import { describeGuardrail } from '../../safety/guardrails.js';
import { describePrometheusGuardrail } from '../../safety/prometheus-guardrail.js';
import type { FaultKind, FaultTarget } from '../../faults/types.js';
import type { CheckResult, FaultRecord, Journal, LoadRecord, Phase, RunApproval, ServiceEvent } from '../../journal/types.js';
import type { LoadRun } from '../../load/index.js';
import { TimeSeries } from '../../observe/time-series.js';
import { ReporterSet, type Reporter } from '../../reporters/types.js';
import { registerRun, unregisterRun } from '../../safety/active-runs.js';
import { appendAudit, type AuditEntry } from '../../safety/audit.js';
import type { LiveLoad } from '../../safety/guardrails.js';
import { Ledger } from '../../safety/ledger.js';
import { newSeed } from '../../util/random.js';
import type { LoadedExperiment } from '../loader/load-experiment.js';
import type { Experiment } from '../schema/experiment.js';
import { DEFAULT_PROBE_INTERVAL_MS } from '../runtime/health.js';
import { SystemRuntime, type SupervisorEventOut } from '../runtime/system-runtime.js';
import { StartedProcesses } from './started-processes.js';

export interface RunOptions {
  kinds: Record<string, FaultKind>;
  stateDir: string;
  reporters: Reporter[];
  /** External abort: Ctrl-C, SIGTERM, `faultline stop`. Its reason (a string) is recorded. */
  signal?: AbortSignal;
  seed?: number;
  /** Chosen by the caller when it needs to know it early (e.g. to read a stop request). */
  runId?: string;
  /** Start the system's `process` services (default). Quick commands act on running services only. */
  startServices?: boolean;
  /** Asked before the first fault when a target is beyond this machine; false refuses the run. */
  confirm?: (targets: FaultTarget[]) => Promise<boolean>;
  /** Live load figures, for errorRate and p95 guardrails. */
  liveLoad?: LiveLoad;
  /** The approval the run goes ahead on (checked by the caller): recorded in the audit's run-start and the journal. */
  approval?: RunApproval;
}

export type AuditInput = Omit<AuditEntry, 'at' | 'user' | 'host' | 'pid' | 'runId'>;

/** What the run has recorded so far: the raw material of the journal. */
export interface RunRecord {
  phases: Journal['phases'];
  faults: FaultRecord[];
  serviceEvents: ServiceEvent[];
  before: CheckResult[];
  during: CheckResult[];
  after: CheckResult[];
  rollbacks: Journal['rollbacks'];
  /** Why the run ended as it did, in the order things happened (deduplicated in the journal). */
  reasons: string[];
  /** Fault steps not applied because their target never came back from an earlier fault. */
  skipped: string[];
  /** False once a steady-state check before the method failed: then nothing is injected. */
  steadyBefore: boolean;
  /** Run time the method began; undefined when it never did. */
  methodStart?: number;
  /** Run time the run was aborted, when it was. */
  abortedT?: number;
  /** Until when the recovery phase watched, and until when it would have watched without an abort. */
  recoveryObserved?: { until: number; deadline: number };
  load?: LoadRecord;
}

export interface RunContext {
  readonly loaded: LoadedExperiment;
  readonly experiment: Experiment;
  readonly options: RunOptions;
  readonly runId: string;
  readonly seed: number;
  readonly startedAt: Date;
  readonly ts: TimeSeries;
  readonly reporters: ReporterSet;
  /** The experiment's probe interval (ms), else the system's, else the default. */
  readonly probeInterval: number;
  /** Consecutive healthy probes that count as recovered. */
  readonly sustained: number;
  /** Services with a health check, in the system file's order: every one is watched. */
  readonly watchedServices: string[];
  readonly ledger: Ledger;
  readonly runtime: SystemRuntime;
  readonly started: StartedProcesses;
  /** The run's signal: aborted by `abort()`, which every step listens to. */
  readonly signal: AbortSignal;
  readonly record: RunRecord;
  /** Services the method targets (known after preflight). */
  targetedServices: Set<string>;
  load?: LoadRun;
  liveLoad?: LiveLoad;
  /** Stops what `startObservation` started (health watchers, hypothesis probes). */
  stopObservers: (() => Promise<void>)[];
  stopGuardrails: () => void;
  abort(reason: string): void;
  /** Appends to the audit trail; never breaks the run (writes are chained, failures ignored). */
  audit(entry: AuditInput): void;
  /** Ends the current phase and starts `phase`, telling the reporters. */
  enter(phase: Phase): void;
  /** Settles once every audit write queued so far has been attempted. */
  auditDone(): Promise<void>;
  /** Detaches from the caller's signal and the max-duration timer. */
  detach(): void;
}

export function recoveryScope(ctx: Pick<RunContext, 'experiment' | 'watchedServices'>): string[] {
  return ctx.experiment.recovery?.services ?? ctx.watchedServices;
}

export async function openRun(loaded: LoadedExperiment, options: RunOptions, runId: string): Promise<RunContext> {
  const { experiment } = loaded;
  const services = loaded.system.system.services;
  const ts = new TimeSeries();
  const reporters = new ReporterSet(options.reporters);
  const startedAt = new Date();
  const controller = new AbortController();
  const record: RunRecord = { phases: [], faults: [], serviceEvents: [], before: [], during: [], after: [], rollbacks: [], reasons: [], skipped: [], steadyBefore: true };

  let auditChain = Promise.resolve();
  const audit = (entry: AuditInput) => {
    auditChain = auditChain.then(() => appendAudit(options.stateDir, { runId, ...entry })).catch(() => undefined);
  };
  const abort = (reason: string) => {
    if (controller.signal.aborted) return;
    audit({ event: 'abort', what: experiment.title, detail: reason });
    record.reasons.push(reason);
    record.abortedT = ts.now();
    reporters.emit('onLog', `aborting: ${reason}`);
    controller.abort(new Error(reason));
  };
  const onExternal = () => abort(String(options.signal?.reason instanceof Error ? options.signal.reason.message : (options.signal?.reason ?? 'interrupted')));
  if (options.signal?.aborted) onExternal();
  options.signal?.addEventListener('abort', onExternal, { once: true });
  const maxTimer = setTimeout(() => abort(`the run exceeded its maximum duration of ${experiment.maxDuration}ms`), experiment.maxDuration);

  const ledger = await Ledger.open(options.stateDir);
  const started = new StartedProcesses(ledger, runId, services, (m) => reporters.emit('onLog', m));
  const runtime = new SystemRuntime(loaded.system, {
    stateDir: options.stateDir,
    onOwnProcess: (e) => started.record(e),
    log: (m) => reporters.emit('onLog', m),
    onEvent: (e) => {
      const event = serviceEvent(e, ts, startedAt);
      record.serviceEvents.push(event);
      reporters.emit('onServiceEvent', event);
    },
  });
  ts.onSample((s) => reporters.emit('onSample', s));

  const ctx: RunContext = {
    loaded,
    experiment,
    options,
    runId,
    seed: options.seed ?? experiment.seed ?? newSeed(),
    startedAt,
    ts,
    reporters,
    probeInterval: experiment.probeInterval ?? loaded.system.system.probeInterval ?? DEFAULT_PROBE_INTERVAL_MS,
    sustained: experiment.recovery?.sustained ?? 3,
    watchedServices: Object.entries(services).filter(([, s]) => s.health).map(([name]) => name),
    ledger,
    runtime,
    started,
    signal: controller.signal,
    record,
    targetedServices: new Set(),
    ...(options.liveLoad ? { liveLoad: options.liveLoad } : {}),
    stopObservers: [],
    stopGuardrails: () => {},
    abort,
    audit,
    enter: (phase) => {
      const t = ts.now();
      const last = record.phases.at(-1);
      if (last) last.endT = t;
      record.phases.push({ phase, startT: t, endT: t });
      reporters.emit('onPhase', phase, t);
    },
    auditDone: () => auditChain,
    detach: () => {
      clearTimeout(maxTimer);
      options.signal?.removeEventListener('abort', onExternal);
    },
  };

  await registerRun(options.stateDir, { runId, pid: process.pid, title: experiment.title, file: loaded.absPath, startedAt: startedAt.toISOString() });
  audit({ event: 'run-start', what: experiment.title, detail: loaded.absPath, ...(options.approval ? { approval: options.approval } : {}) });
  await reporters.start({
    runId,
    title: experiment.title,
    experimentFile: loaded.file,
    systemFile: loaded.system.file,
    startedAt: startedAt.toISOString(),
    services: ctx.watchedServices,
    guardrails: [...experiment.guardrails.abortIf.map(describeGuardrail), ...experiment.guardrails.prometheus.map(describePrometheusGuardrail)],
    probes: experiment.hypothesis.probes.map((p) => p.name),
  });
  return ctx;
}

/** Gives back everything the run holds: load, guardrails, timers, watchers, services it started, the ledger. */
export async function closeRun(ctx: RunContext): Promise<void> {
  ctx.record.load = await ctx.load?.stop();
  if (ctx.record.load?.error) ctx.record.reasons.push(`load: ${ctx.record.load.error}`);
  ctx.stopGuardrails();
  ctx.detach();
  await Promise.all(ctx.stopObservers.map((s) => s()));
  await ctx.runtime.collectUpEvents(ctx.startedAt.getTime()).catch(() => undefined);
  await ctx.runtime.stop().catch((err) => ctx.record.reasons.push(`stopping services failed: ${(err as Error).message}`));
  // Unregistered last: until its ledger lines are written, this run is alive and its faults are its own.
  await ctx.started.flush();
  await ctx.ledger.close();
  await unregisterRun(ctx.options.stateDir, ctx.runId).catch(() => undefined);
}

function serviceEvent(e: SupervisorEventOut, ts: TimeSeries, startedAt: Date): ServiceEvent {
  return {
    service: e.service,
    type: e.type,
    t: e.mono !== undefined ? ts.fromMono(e.mono) : e.wallTime - startedAt.getTime(),
    at: new Date(e.wallTime).toISOString(),
    ...(e.pid !== undefined ? { pid: e.pid } : {}),
    ...(e.code !== undefined ? { code: e.code } : {}),
    ...(e.signal !== undefined ? { signal: e.signal } : {}),
    ...(e.restart ? { restart: true } : {}),
    ...(e.container !== undefined ? { container: e.container } : {}),
    ...(e.oom ? { oom: true } : {}),
  };
}
