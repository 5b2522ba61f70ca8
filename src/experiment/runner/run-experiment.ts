/**
 * The run lifecycle: preflight → baseline → steady state before → method → rollbacks →
 * recovery → steady state after → analysis → reports. One AbortSignal per run reaches every
 * step; an abort (Ctrl-C, `faultline stop`, max duration, a failed injection) cuts holds short,
 * reverts every fault, still runs rollbacks, and still writes the report.
 */
import { randomBytes } from 'node:crypto';
import type { FaultKind, FaultTarget } from '../../faults/types.js';
import type { CheckResult, FaultRecord, Journal, Phase, RunStatus, ServiceEvent } from '../../journal/types.js';
import { JOURNAL_VERSION } from '../../journal/types.js';
import { TimeSeries } from '../../observe/time-series.js';
import { watch } from '../../observe/watcher.js';
import { endsHealthy } from '../../observe/recovery.js';
import { describeExpectation } from '../../probes/tolerance.js';
import { ReporterSet, type Reporter } from '../../reporters/types.js';
import { registerRun, unregisterRun } from '../../safety/active-runs.js';
import { appendAudit, type AuditEntry } from '../../safety/audit.js';
import { checkGuardrails, type LiveLoad } from '../../safety/guardrails.js';
import { outsideWindows } from '../../safety/time-windows.js';
import { Ledger } from '../../safety/ledger.js';
import { newSeed, seededRandom } from '../../util/random.js';
import { sleep } from '../../util/sleep.js';
import type { LoadedExperiment } from '../loader/load-experiment.js';
import { DEFAULT_PROBE_INTERVAL_MS, DEFAULT_PROBE_TIMEOUT_MS, healthProbe } from '../runtime/health.js';
import { SystemRuntime } from '../runtime/system-runtime.js';
import { analyzeJournal, systemGraph } from '../../analysis/index.js';
import { isCommandSpec, startLoad, type LoadRun } from '../../load/index.js';
import { evaluateSlos } from '../../observe/slo.js';
import type { LoadRecord } from '../../journal/types.js';
import { analyzeServices, faultWindow, recoveryChecks } from './analyze.js';
import { assessBlastRadius } from './blast-radius.js';
import { checkProbeNow, checkThroughout } from './checks.js';
import { liveLoadOf, loadGuardrailWindow } from './live-load.js';
import { executeSteps } from './method.js';
import { runRollbacks } from './rollbacks.js';
import { StartedProcesses } from './started-processes.js';
import { toProbeCall } from './probe-call.js';

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
}

export function newRunId(): string {
  return `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(3).toString('hex')}`;
}

/** How long to wait for recovery when the experiment states no expectation. */
const DEFAULT_RECOVERY_WAIT_MS = 30_000;

export async function runExperiment(loaded: LoadedExperiment, options: RunOptions): Promise<Journal> {
  const { experiment } = loaded;
  const runId = options.runId ?? newRunId();
  const seed = options.seed ?? experiment.seed ?? newSeed();
  const startedAt = new Date();
  const ts = new TimeSeries();
  const reporters = new ReporterSet(options.reporters);
  const probeInterval = experiment.probeInterval ?? loaded.system.system.probeInterval ?? DEFAULT_PROBE_INTERVAL_MS;
  const sustained = experiment.recovery?.sustained ?? 3;

  const run = new AbortController();
  const reasons: string[] = [];
  // The audit trail must never break a run: its writes are chained and their failures ignored.
  let auditChain = Promise.resolve();
  const audit = (entry: Omit<AuditEntry, 'at' | 'user' | 'host' | 'pid' | 'runId'>) => {
    auditChain = auditChain.then(() => appendAudit(options.stateDir, { runId, ...entry })).catch(() => undefined);
  };
  const abort = (reason: string) => {
    if (run.signal.aborted) return;
    audit({ event: 'abort', what: experiment.title, detail: reason });
    reasons.push(reason);
    reporters.emit('onLog', `aborting: ${reason}`);
    run.abort(new Error(reason));
  };
  const onExternal = () => abort(String(options.signal?.reason instanceof Error ? options.signal.reason.message : (options.signal?.reason ?? 'interrupted')));
  if (options.signal?.aborted) onExternal();
  options.signal?.addEventListener('abort', onExternal, { once: true });
  const maxTimer = setTimeout(() => abort(`the run exceeded its maximum duration of ${experiment.maxDuration}ms`), experiment.maxDuration);

  const phases: Journal['phases'] = [];
  const enter = (phase: Phase) => {
    const t = ts.now();
    const last = phases.at(-1);
    if (last) last.endT = t;
    phases.push({ phase, startT: t, endT: t });
    reporters.emit('onPhase', phase, t);
  };

  const faults: FaultRecord[] = [];
  const serviceEvents: ServiceEvent[] = [];
  const before: CheckResult[] = [];
  const after: CheckResult[] = [];
  const during: CheckResult[] = [];
  let rollbacks: Journal['rollbacks'] | undefined;
  let steadyBefore = true;
  let methodStart: number | undefined;
  let targetedServices = new Set<string>();
  let load: LoadRun | undefined;
  let liveLoad: LiveLoad | undefined = options.liveLoad;
  let loadRecord: LoadRecord | undefined;
  let stopGuardrails = () => {};
  /** Fault steps not applied because their target never came back from an earlier fault. */
  const skipped: string[] = [];

  const ledger = await Ledger.open(options.stateDir);
  const started = new StartedProcesses(ledger, runId, loaded.system.system.services, (m) => reporters.emit('onLog', m));
  const runtime = new SystemRuntime(loaded.system, {
    stateDir: options.stateDir,
    onOwnProcess: (e) => started.record(e),
    log: (m) => reporters.emit('onLog', m),
    onEvent: (e) => {
      const event: ServiceEvent = {
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
      serviceEvents.push(event);
      reporters.emit('onServiceEvent', event);
    },
  });
  ts.onSample((s) => reporters.emit('onSample', s));

  await registerRun(options.stateDir, { runId, pid: process.pid, title: experiment.title, file: loaded.absPath, startedAt: startedAt.toISOString() });
  audit({ event: 'run-start', what: experiment.title, detail: loaded.absPath });
  await reporters.start({ runId, title: experiment.title, experimentFile: loaded.file, systemFile: loaded.system.file, startedAt: startedAt.toISOString() });

  /** Guardrails run from the start of the method to the end of recovery, on every sample and on a timer. */
  const watchGuardrails = () => {
    const protectedServices = watchedServices.filter((n) => loaded.system.system.services[n]!.critical && !targetedServices.has(n));
    const evaluate = () => {
      if (run.signal.aborted) return;
      const reason = checkGuardrails(experiment.guardrails.abortIf, {
        now: ts.now(),
        samples: (series) => ts.samples(series),
        services: watchedServices,
        protectedServices,
        criticalFailures: experiment.guardrails.criticalFailures,
        load: liveLoad,
      });
      if (reason) abort(`guardrail: ${reason}`);
    };
    const unsubscribe = ts.onSample(evaluate);
    const timer = setInterval(evaluate, 200);
    return () => {
      unsubscribe();
      clearInterval(timer);
    };
  };

  const watchers = new AbortController();
  const stopWatchers: (() => Promise<void>)[] = [];
  const watchedServices = Object.entries(loaded.system.system.services).filter(([, s]) => s.health).map(([name]) => name);

  try {
    enter('preflight');
    const windowVeto = outsideWindows(experiment.guardrails.windows, new Date());
    if (windowVeto) abort(`time window: ${windowVeto}`);
    if (!run.signal.aborted) {
      try {
        await runtime.start(run.signal, { startServices: options.startServices ?? true });
        const radius = await assessBlastRadius(experiment.method, experiment.guardrails, options.kinds, (kind, ref) => runtime.resolve(kind, ref));
        targetedServices = new Set(radius.targets.map((t) => t.target.service));
        if (radius.refusal) abort(radius.refusal);
        const remote = radius.targets.filter((t) => t.target.remote).map((t) => t.target);
        if (!run.signal.aborted && remote.length > 0 && !(await (options.confirm?.(remote) ?? Promise.resolve(false)))) {
          abort(`not confirmed: the method targets ${remote.map((t) => t.label).join(', ')} beyond this machine`);
        }
      } catch (err) {
        abort(`preflight: ${(err as Error).message}`);
      }
    }

    if (!run.signal.aborted) {
      for (const name of watchedServices) {
        const svc = loaded.system.system.services[name]!;
        const { call, expect } = healthProbe(svc.health!);
        const w = watch({ series: `service:${name}`, call, expect, interval: svc.health!.interval ?? probeInterval, timeSeries: ts, signal: watchers.signal, cwd: loaded.system.dir, defaultTimeout: DEFAULT_PROBE_TIMEOUT_MS });
        stopWatchers.push(() => w.stop());
      }
      for (const probe of experiment.hypothesis.probes) {
        const w = watch({ series: `probe:${probe.name}`, call: toProbeCall(probe), expect: probe.expect, interval: probeInterval, timeSeries: ts, signal: watchers.signal, cwd: loaded.dir, defaultTimeout: DEFAULT_PROBE_TIMEOUT_MS });
        stopWatchers.push(() => w.stop());
      }

      if (experiment.load) {
        const spec = isCommandSpec(experiment.load) ? { ...experiment.load, cwd: loaded.dir } : experiment.load;
        const keepRecentMs = loadGuardrailWindow(experiment.guardrails.abortIf);
        load = startLoad(spec, { signal: run.signal, now: () => ts.now(), onBucket: (b) => reporters.emit('onLoadBucket', b), ...(keepRecentMs > 0 ? { keepRecentMs } : {}) });
        liveLoad = liveLoadOf(load) ?? options.liveLoad;
      }

      if (experiment.baseline > 0) {
        enter('baseline');
        await sleep(experiment.baseline, run.signal);
      }

      enter('steady-state-before');
      for (const probe of experiment.hypothesis.probes) {
        const check = await checkProbeNow(probe, 'steady-state-before', { cwd: loaded.dir, signal: run.signal, now: () => ts.now() });
        before.push(check);
        reporters.emit('onCheck', check);
      }
      steadyBefore = before.every((c) => c.ok);
      if (!steadyBefore) reasons.push('the steady state did not hold before the method, so no fault was injected');
    }

    if (!run.signal.aborted && steadyBefore) {
      enter('method');
      methodStart = ts.now();
      stopGuardrails = watchGuardrails();
      await executeSteps(experiment.method, {
        kinds: options.kinds,
        ledger,
        runId,
        signal: run.signal,
        random: seededRandom(seed),
        now: () => ts.now(),
        resolve: (kind, ref) => runtime.resolve(kind, ref),
        abort,
        onInjected: (f) => {
          load?.mark('chaos');
          audit({ event: 'fault-injected', what: `${f.kind} on ${f.target}` });
          reporters.emit('onFaultInjected', f);
        },
        onReverted: (f) => {
          const event = f.status === 'revert-failed' ? 'fault-revert-failed' : 'fault-reverted';
          audit({ event, what: `${f.kind} on ${f.target}`, outcome: f.status, ...(f.error ? { detail: f.error } : {}) });
          reporters.emit('onFaultReverted', f);
        },
        log: (m) => reporters.emit('onLog', m),
        faults,
        onSkipped: (reason) => skipped.push(reason),
        beforeStep: () => {
          const veto = outsideWindows(experiment.guardrails.windows, new Date());
          return veto ? `time window: ${veto}` : undefined;
        },
      });
      load?.mark('recovery');
    }

    enter('rollbacks');
    rollbacks = await runRollbacks(experiment.rollbacks, { runtime, kinds: options.kinds, cwd: loaded.dir, runId, now: () => ts.now(), log: (m) => reporters.emit('onLog', m) });

    const window = faultWindow(faults);
    if (window && !run.signal.aborted) {
      enter('recovery');
      const scope = experiment.recovery?.services ?? watchedServices;
      const deadline = window.end + (experiment.recovery?.within ?? DEFAULT_RECOVERY_WAIT_MS) + probeInterval * sustained;
      while (ts.now() < deadline && !run.signal.aborted) {
        const pending = scope.filter((s) => !endsHealthy(ts.samples(`service:${s}`), window.end, sustained));
        if (pending.length === 0) break;
        await sleep(Math.min(probeInterval, 100), run.signal);
      }
    }

    stopGuardrails();

    // A fault's effects last until the system has recovered (a kill is over in a millisecond), so
    // `throughout` probes are judged from the start of the method to the end of the recovery phase.
    if (methodStart !== undefined) {
      const window = { start: methodStart, end: ts.now() };
      for (const probe of experiment.hypothesis.probes.filter((p) => p.throughout)) {
        const check = checkThroughout(probe, ts.samples(), window, describeExpectation(toProbeCall(probe), probe.expect), ts.now());
        during.push(check);
        reporters.emit('onCheck', check);
      }
    }

    if (steadyBefore && experiment.hypothesis.probes.length > 0 && !run.signal.aborted) {
      enter('steady-state-after');
      for (const probe of experiment.hypothesis.probes) {
        const check = await checkProbeNow(probe, 'steady-state-after', { cwd: loaded.dir, signal: run.signal, now: () => ts.now() });
        after.push(check);
        reporters.emit('onCheck', check);
      }
    }
  } finally {
    loadRecord = await load?.stop();
    if (loadRecord?.error) reasons.push(`load: ${loadRecord.error}`);
    stopGuardrails();
    clearTimeout(maxTimer);
    options.signal?.removeEventListener('abort', onExternal);
    watchers.abort();
    await Promise.all(stopWatchers.map((s) => s()));
    await runtime.collectUpEvents(startedAt.getTime()).catch(() => undefined);
    await runtime.stop().catch((err) => reasons.push(`stopping services failed: ${(err as Error).message}`));
    await unregisterRun(options.stateDir, runId).catch(() => undefined);
    await started.flush();
    await ledger.close();
  }

  enter('report');
  const recovery = analyzeServices({ services: watchedServices, samples: ts.samples(), faults, events: serviceEvents, sustained, expectation: experiment.recovery });
  const slos = loadRecord ? evaluateSlos(experiment.slos, loadRecord, ts.now()) : [];
  for (const check of slos) reporters.emit('onCheck', check);
  const verdicts = [...before, ...during, ...recoveryChecks(recovery, sustained, ts.now()), ...after, ...slos];
  const status = decideStatus({ aborted: run.signal.aborted, faults, verdicts, steadyBefore, skipped: skipped.length });
  reasons.push(...skipped);
  if (status === 'deviated') reasons.push(...verdicts.filter((v) => !v.ok).map((v) => `${v.name}: observed ${v.observed}; expected ${v.expected}`));
  if (status === 'revert-failed') reasons.push(...faults.filter((f) => f.status === 'revert-failed').map((f) => `could not revert ${f.kind} on ${f.target}: ${f.error}`));
  const endedAt = new Date();
  phases.at(-1)!.endT = ts.now();

  const journal: Journal = {
    version: JOURNAL_VERSION,
    runId,
    title: experiment.title,
    experimentFile: loaded.absPath,
    systemFile: loaded.system.absPath,
    status,
    exitCode: ({ held: 0, deviated: 1, aborted: 3, 'revert-failed': 4 } as const)[status],
    reasons: [...new Set(reasons)],
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    durationMs: endedAt.getTime() - startedAt.getTime(),
    seed,
    probeIntervalMs: probeInterval,
    phases,
    steadyState: { before, during, after },
    faults,
    rollbacks: rollbacks ?? [],
    recovery,
    serviceEvents: serviceEvents.sort((a, b) => a.t - b.t),
    verdicts,
    timeSeries: ts.samples(),
    experiment,
    system: systemGraph(loaded.system.system.services),
    ...(loadRecord ? { load: loadRecord } : {}),
  };
  journal.analysis = analyzeJournal(journal);
  audit({ event: 'run-end', what: experiment.title, outcome: status, ...(journal.reasons.length ? { detail: journal.reasons.join('; ').slice(0, 500) } : {}) });
  await auditChain;
  await reporters.end(journal);
  return journal;
}

function decideStatus(r: { aborted: boolean; faults: FaultRecord[]; verdicts: CheckResult[]; steadyBefore: boolean; skipped: number }): RunStatus {
  if (r.faults.some((f) => f.status === 'revert-failed')) return 'revert-failed';
  if (r.aborted) return 'aborted';
  if (!r.steadyBefore || r.skipped > 0 || r.verdicts.some((v) => !v.ok)) return 'deviated';
  return 'held';
}
