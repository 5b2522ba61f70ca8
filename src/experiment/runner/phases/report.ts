/**
 * Analysis and reports: the verdicts (steady state before, throughout, recovery, after, SLOs),
 * the run's status and exit code, the journal, and the reporters' last hook. Reads only what the
 * run recorded, so every figure can be re-derived from journal.json.
 */
import { analyzeJournal, systemGraph } from '../../../analysis/index.js';
import type { CheckResult, FaultRecord, Journal, RunStatus } from '../../../journal/types.js';
import { JOURNAL_VERSION } from '../../../journal/types.js';
import { evaluateSlos } from '../../../observe/slo.js';
import { analyzeServices, recoveryChecks } from '../analyze.js';
import type { RunContext } from '../run-context.js';

const EXIT_CODES = { held: 0, deviated: 1, aborted: 3, 'revert-failed': 4 } as const;

export function analyze(ctx: RunContext): Journal {
  const { record, ts, experiment, loaded, sustained } = ctx;
  ctx.enter('report');
  const observed = record.recoveryObserved;
  const recovery = analyzeServices({
    services: ctx.watchedServices,
    samples: ts.samples(),
    faults: record.faults,
    events: record.serviceEvents,
    sustained,
    ...(experiment.recovery ? { expectation: experiment.recovery } : {}),
    ...(ctx.signal.aborted ? { aborted: observed ?? { until: ts.now(), deadline: Infinity } } : {}),
  });
  const slos = record.load ? evaluateSlos(experiment.slos, record.load, ts.now()) : [];
  for (const check of slos) ctx.reporters.emit('onCheck', check);
  const verdicts = [...record.before, ...record.during, ...recoveryChecks(recovery, sustained, ts.now()), ...record.after, ...slos];
  const status = decideStatus({ aborted: ctx.signal.aborted, faults: record.faults, verdicts, steadyBefore: record.steadyBefore, skipped: record.skipped.length });
  const reasons = [...record.reasons, ...record.skipped];
  if (status === 'deviated') reasons.push(...verdicts.filter((v) => !v.ok).map((v) => `${v.name}: observed ${v.observed}; expected ${v.expected}`));
  if (status === 'revert-failed') reasons.push(...record.faults.filter((f) => f.status === 'revert-failed').map((f) => revertFailedReason(f, ctx.runId, ctx.options.stateDir)));
  const endedAt = new Date();
  record.phases.at(-1)!.endT = ts.now();

  const journal: Journal = {
    version: JOURNAL_VERSION,
    runId: ctx.runId,
    title: experiment.title,
    experimentFile: loaded.absPath,
    systemFile: loaded.system.absPath,
    status,
    exitCode: EXIT_CODES[status],
    reasons: [...new Set(reasons)],
    startedAt: ctx.startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    durationMs: endedAt.getTime() - ctx.startedAt.getTime(),
    seed: ctx.seed,
    probeIntervalMs: ctx.probeInterval,
    phases: record.phases,
    steadyState: { before: record.before, during: record.during, after: record.after },
    faults: record.faults,
    rollbacks: record.rollbacks,
    recovery,
    serviceEvents: record.serviceEvents.sort((a, b) => a.t - b.t),
    verdicts,
    timeSeries: ts.samples(),
    experiment,
    system: systemGraph(loaded.system.system.services),
    ...(record.load ? { load: record.load } : {}),
    ...(ctx.options.approval ? { approval: ctx.options.approval } : {}),
  };
  journal.analysis = analyzeJournal(journal);
  return journal;
}

/** The audit trail's last line, then the reporters' end hook (the journal writer among them). */
export async function report(ctx: RunContext, journal: Journal): Promise<void> {
  ctx.audit({ event: 'run-end', what: journal.title, outcome: journal.status, ...(journal.reasons.length ? { detail: journal.reasons.join('; ').slice(0, 500) } : {}) });
  await ctx.auditDone();
  await ctx.reporters.end(journal);
}

export function decideStatus(r: { aborted: boolean; faults: FaultRecord[]; verdicts: CheckResult[]; steadyBefore: boolean; skipped: number }): RunStatus {
  if (r.faults.some((f) => f.status === 'revert-failed')) return 'revert-failed';
  if (r.aborted) return 'aborted';
  if (!r.steadyBefore || r.skipped > 0 || r.verdicts.some((v) => !v.ok)) return 'deviated';
  return 'held';
}

/** What may remain after a failed revert, and the command that retries it. */
export function revertFailedReason(f: FaultRecord, runId: string, stateDir: string): string {
  return `could not revert ${f.kind} on ${f.target}: ${f.error} — it may still be in effect; retry with: faultline recover --run ${runId} --state-dir ${stateDir}`;
}
