/**
 * One whole run of a loaded experiment, as `faultline run` does it: the approval check (before
 * anything else: no valid approval, no run — exit 2), the run guard (reaper, signals),
 * the runner with the console, journal and file reporters, then the history, the regression gate
 * and the notification, and the console's final verdict line. `faultline run`, the scheduler and
 * game days all call this: there is one way to run an experiment.
 */
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { newRunId, runExperiment } from '../experiment/runner/run-experiment.js';
import type { LoadedExperiment } from '../experiment/loader/load-experiment.js';
import { DEFAULT_PROBE_TIMEOUT_MS } from '../experiment/runtime/health.js';
import type { FaultTarget } from '../faults/types.js';
import { ConsoleReporter } from '../reporters/console-reporter.js';
import { JournalReporter } from '../reporters/journal-reporter.js';
import { fileReportersFor } from '../reporters/file-reporters.js';
import type { ReportFormatName } from '../reporters/formats.js';
import { notificationFor, postNotification } from '../reporters/notify.js';
import type { Reporter } from '../reporters/types.js';
import { recordRun, type RunIdentity } from '../history/index.js';
import type { Journal } from '../journal/types.js';
import { kinds } from '../cli/context.js';
import { guardedRun } from '../cli/guarded-run.js';
import { requireApproval, runApproval } from '../approval/check.js';

export interface ExecuteRunOptions {
  stateDir: string;
  /** Default: a new one. */
  runId?: string;
  /** Default: `<state dir>/reports/<run id>`. */
  reportDir?: string;
  /** Reports besides journal.json. */
  formats: readonly ReportFormatName[];
  failOnRegression?: boolean;
  /** POST a summary here when the run does not pass. */
  notifyUrl?: string;
  seed?: number;
  /** false: no reaper (`--no-reaper`). */
  reaper?: boolean;
  /** Asked before touching targets beyond this machine. */
  confirm: (targets: FaultTarget[]) => Promise<boolean>;
  /** Where the console reporter and the run's closing lines go. */
  out: Writable & { isTTY?: boolean; columns?: number };
  /** Warnings (notification not sent, history not updated). Default: process.stderr. */
  err?: Writable;
  /** More watchers of the run; given a function that names the HTML report once written. */
  reporters?: (htmlReport: () => string | undefined) => Reporter[];
  /**
   * false: Ctrl-C and SIGTERM are the caller's to handle (the scheduler, game days): it aborts the
   * run through `signal`. Default true, as `faultline run`.
   */
  signals?: boolean;
  signal?: AbortSignal;
  /** Called once the runner is done, before the history and the closing lines (metrics observers close here). */
  afterRunner?: () => Promise<void>;
}

export interface ExecutedRun {
  journal: Journal;
  /** After the regression gate: 1 when it failed a run that held. */
  exitCode: number;
  reportDir: string;
  journalPath: string | undefined;
  /** The files written besides journal.json. */
  reports: string[];
  regressions: string[];
  regressedAgainst?: string;
}

export async function executeRun(loaded: LoadedExperiment, o: ExecuteRunOptions): Promise<ExecutedRun> {
  // Throws ApprovalError (exit 2) when the run needs an approval and has no valid one: nothing started yet.
  const approval = await requireApproval(loaded, o.stateDir);
  if (approval) o.out.write(`approved by ${approval.by}${approval.reason ? ` (${approval.reason})` : ''} at ${approval.at}, valid until ${approval.expiresAt} (sha256 ${approval.hash.slice(0, 12)})\n`);
  const runId = o.runId ?? newRunId();
  const reportDir = resolve(o.reportDir ?? resolve(o.stateDir, 'reports', runId));
  const journalReporter = new JournalReporter(reportDir);
  const fileReporters = fileReportersFor(o.formats.filter((f) => f !== 'json'), reportDir);
  // The final line waits for the regression gate, so it states the real verdict and exit code.
  const consoleReporter = new ConsoleReporter(o.out, { deferVerdict: true, reorderMs: reorderHold(loaded) });
  const htmlReport = () => fileReporters.find((r) => r.name === 'html')?.path;
  const signal = o.signal;
  const journal = await guardedRun(
    o.stateDir,
    runId,
    { reaper: o.reaper, maxDurationMs: loaded.experiment.maxDuration, ...(o.signals === false ? { signals: false } : {}) },
    (guard) =>
      runExperiment(loaded, {
        kinds,
        stateDir: o.stateDir,
        runId,
        reporters: [consoleReporter, journalReporter, ...fileReporters, ...(o.reporters?.(htmlReport) ?? [])],
        signal: signal ? AbortSignal.any([guard, signal]) : guard,
        confirm: o.confirm,
        ...(approval ? { approval: runApproval(approval) } : {}),
        ...(o.seed !== undefined ? { seed: o.seed } : {}),
      }),
  );
  await o.afterRunner?.();
  const say = (text: string) => o.out.write(`${text}\n`);
  say(`  journal: ${journalReporter.path ?? '(not written)'}`);
  const reports = fileReporters.map((r) => r.path).filter((p): p is string => p !== undefined);
  if (reports.length) say(`  reports: ${reports.join(', ')}`);
  const gate = await afterRun(journal, {
    stateDir: o.stateDir,
    reportDir,
    failOnRegression: o.failOnRegression === true,
    notifyUrl: o.notifyUrl,
    say,
    warn: (text) => (o.err ?? process.stderr).write(`faultline: ${text}\n`),
    ...(loaded.catalogParameters ? { identity: { parameters: loaded.catalogParameters } } : {}),
  });
  consoleReporter.printVerdict(journal, { exitCode: gate.exitCode, ...(gate.regressedAgainst !== undefined ? { regressedAgainst: gate.regressedAgainst } : {}) });
  return { journal, reportDir, journalPath: journalReporter.path, reports, ...gate };
}

/**
 * History, regression gate and notification. A regression turns a passing run into exit 1 with
 * --fail-on-regression; worse exit codes (aborted 3, revert failed 4) stay as they are. The history
 * records the gate's outcome with the run.
 */
async function afterRun(
  journal: Journal,
  o: { stateDir: string; reportDir: string; failOnRegression: boolean; notifyUrl: string | undefined; say: (text: string) => void; warn: (text: string) => void; identity?: RunIdentity },
): Promise<{ exitCode: number; regressions: string[]; regressedAgainst?: string }> {
  let exitCode: number = journal.exitCode;
  let regressions: string[] = [];
  let previous: string | undefined;
  try {
    const recorded = await recordRun(o.stateDir, journal, { reportDir: o.reportDir, failOnRegression: o.failOnRegression, ...(o.identity ? { identity: o.identity } : {}) });
    regressions = recorded.regressions.map((r) => r.message);
    previous = recorded.previous?.runId;
    exitCode = recorded.exitCode;
    if (recorded.previous && regressions.length === 0 && o.failOnRegression) o.say(`  no regression against the previous run (${recorded.previous.runId})`);
    if (!recorded.previous && o.failOnRegression) o.say('  no previous run of this experiment to compare with');
  } catch (err) {
    o.warn(`warning: could not update the run history: ${(err as Error).message}`);
  }
  for (const r of regressions) o.say(`  ${o.failOnRegression ? 'REGRESSION' : 'regression'}: ${r}`);
  const gateFailed = exitCode !== journal.exitCode;
  if (gateFailed) o.warn(`failing the run (--fail-on-regression): ${regressions.join('; ')}`);
  if (o.notifyUrl && exitCode !== 0) {
    const error = await postNotification(o.notifyUrl, notificationFor(journal, { regressions: o.failOnRegression ? regressions : [], reportDir: o.reportDir }));
    if (error) o.warn(`warning: notification not sent: ${error}`);
    else o.say(`  notified ${new URL(o.notifyUrl).host}`);
  }
  return { exitCode, regressions, ...(gateFailed && previous !== undefined ? { regressedAgainst: previous } : {}) };
}

/**
 * How long the console holds a progress line to print lines in time order: a probe's sample is
 * stamped at its start and arrives at most its timeout later, so the slowest probe's timeout
 * (plus a margin for scheduling), between 1 s and 5 s.
 */
function reorderHold(loaded: LoadedExperiment): number {
  const timeouts = [
    ...Object.values(loaded.system.system.services).map((s) => s.health?.timeout),
    ...loaded.experiment.hypothesis.probes.map((p) => p.timeout),
  ].map((t) => t ?? DEFAULT_PROBE_TIMEOUT_MS);
  return Math.min(5000, Math.max(1000, Math.max(0, ...timeouts) + 250));
}
