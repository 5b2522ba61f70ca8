/**
 * `kill`, `pause`, `restart` and `random` are one-step experiments built in memory and run by the
 * same runner as `faultline run` — so they go through the ledger, measure recovery the same way,
 * and `--json` gives the journal's own fields.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { kindForService } from '../drivers/index.js';
import { readUpState } from '../drivers/process/up-state.js';
import { systemFingerprint, upMismatch } from '../experiment/runtime/up-match.js';
import { ApprovalError, UsageError } from '../errors/index.js';
import { systemApprovalReasons } from '../approval/policy.js';
import type { LoadedExperiment } from '../experiment/loader/load-experiment.js';
import type { LoadedSystem } from '../experiment/loader/load-system.js';
import { unknownService } from '../experiment/loader/load-system.js';
import { newRunId, runExperiment } from '../experiment/runner/run-experiment.js';
import type { Step } from '../experiment/schema/experiment.js';
import { DEFAULT_GUARDRAILS } from '../experiment/schema/guardrails.js';
import { ConsoleReporter } from '../reporters/console-reporter.js';
import { recordRun } from '../history/index.js';
import { JournalReporter } from '../reporters/journal-reporter.js';
import { fileReportersFor } from '../reporters/file-reporters.js';
import { REPORT_FORMATS } from '../reporters/formats.js';
import type { Reporter } from '../reporters/types.js';
import { parseDuration } from '../util/duration.js';
import { addDashboardOptions, htmlReportOf, startDashboard, type DashboardFlags } from './dashboard-options.js';
import { confirmRemote } from './confirm.js';
import { DEFAULT_QUICK_WINDOW_MS, type QuickLoad } from './quick-load.js';
import { quickResult, quickResultLines } from './quick-result.js';
import { guardedRun } from './guarded-run.js';
import { composeFlags, kinds, printJson, stateDirFrom, systemFrom, type CommonOptions } from './context.js';
import { addMetricsOptions, startMetrics, type MetricsFlags } from './metrics-options.js';

export interface QuickOptions extends CommonOptions, MetricsFlags, DashboardFlags {
  timeout?: string;
  sustained?: string;
  reportDir?: string;
  reaper?: boolean;
  yes?: boolean;
}

export interface QuickFault {
  /**
   * One fault per service: `kill api` has one; `random` one per candidate, of which the run picks
   * one (with its seed, recorded in the journal). Each service's kind decides its fault (quickFault).
   */
  choices: { service: string; fault: string; params?: Record<string, unknown> }[];
  /** How long a held fault stays (pause, limit, …); with load, each window's length too. */
  duration?: number;
  title: string;
  /** A system built in memory (a `host:port` target needs no system file): used instead of --system. */
  system?: LoadedSystem;
  /** The run history's key when the title is not stable (`random`: its title lists the candidates). */
  historyKey?: string;
  /** Traffic and SLOs (`--load`): the run gets a baseline, a fault and a recovery window. */
  load?: QuickLoad;
  /** With load, the length of each window. */
  windowMs?: number;
  seed?: number;
}

export function durationFlag(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = parseDuration(value);
  if (ms === undefined) throw new UsageError(`${flag}: expected a duration such as 500ms, 10s or 1m, got "${value}"`);
  return ms;
}

export async function runQuickFault(spec: QuickFault, opts: QuickOptions): Promise<number> {
  const system = spec.system ?? (await systemFrom(opts));
  refuseWithoutApproval(system);
  const names = Object.keys(system.system.services);
  const refs = spec.choices.map((c) => c.service);
  for (const ref of refs) if (!Object.hasOwn(system.system.services, ref)) throw new UsageError(unknownService(ref, names));

  const steps: Step[] = spec.choices.map((c) => {
    const kind = kindForService(kinds, c.fault, system.system.services[c.service] as Readonly<Record<string, unknown>> | undefined) ?? kinds[c.fault]!;
    const params = kind.params.safeParse(c.params ?? {});
    if (!params.success) throw new UsageError(`${c.fault} on ${c.service}: ${params.error.issues.map((i) => `${i.path.join('.') || 'parameters'}: ${i.message}`).join('; ')}`);
    return { type: 'fault', fault: c.fault, target: c.service, ...(spec.duration !== undefined ? { duration: spec.duration } : {}), params: c.params ?? {} };
  });
  const within = durationFlag(opts.timeout, '--timeout', 30_000);
  const sustained = Number(opts.sustained ?? 3);
  if (!Number.isInteger(sustained) || sustained < 1) throw new UsageError(`--sustained: expected a whole number >= 1, got "${opts.sustained}"`);

  const faultStep: Step = steps.length === 1 ? steps[0]! : { type: 'random', steps };
  // With load, the fault's window lasts as long as the others: a kill is instant, its outage is not.
  const window = spec.load ? (spec.windowMs ?? DEFAULT_QUICK_WINDOW_MS) : 0;
  const method: Step[] = spec.load && spec.duration === undefined ? [faultStep, { type: 'wait', wait: window }] : [faultStep];
  const watched = refs.filter((r) => system.system.services[r]!.health);
  const loaded: LoadedExperiment = {
    file: `faultline ${spec.title}`,
    absPath: `faultline ${spec.title}`,
    dir: process.cwd(),
    system,
    experiment: {
      title: spec.title,
      tags: ['quick'],
      baseline: window,
      hypothesis: { probes: [] },
      method,
      rollbacks: [],
      maxDuration: within + (spec.duration ?? 0) + 3 * window + 60_000,
      // Naming a service on the command line is explicit consent, critical or not (`random` filters itself).
      guardrails: { ...DEFAULT_GUARDRAILS, allowCritical: true },
      slos: spec.load?.slos ?? [],
      ...(spec.load ? { load: spec.load.load } : {}),
      ...(spec.seed !== undefined ? { seed: spec.seed } : {}),
      // With load, the recovery window is kept even when nothing has a health check to wait for.
      ...(watched.length || window ? { recovery: { within, sustained, services: watched, ...(window ? { observe: window } : {}) } } : {}),
    },
  };

  const stateDir = await stateDirFrom(opts);
  // Quick commands act on running services; say so up front rather than abort a run (exit 2, not 3).
  const up = await readUpState(stateDir);
  // The daemon must serve this very system file: another system's `api` is not this one's.
  const mismatch = up && !spec.system ? upMismatch(up, await systemFingerprint(system.absPath)) : undefined;
  for (const ref of refs) {
    if (system.system.services[ref]!.process && (!up?.services.includes(ref) || mismatch)) {
      throw new UsageError(
        mismatch
          ? `service ${ref}: ${mismatch}`
          : `service ${ref} is not running under faultline up (state dir ${stateDir}): start it with \`faultline up\` in another terminal, or attach to a running process with pid, pidFile or match in ${system.file}`,
      );
    }
  }
  const observers = await startMetrics(opts); // --metrics-listen, --metrics-push, --grafana-url
  const runId = newRunId();
  const consoleReporter = new ConsoleReporter(opts.json ? process.stderr : process.stdout, { deferVerdict: true });
  const reporters: Reporter[] = [consoleReporter, ...observers.reporters];
  // The same figures as the console, in the journal and every report (load per window, SLOs).
  if (opts.reportDir) reporters.push(new JournalReporter(resolve(opts.reportDir)), ...fileReportersFor(REPORT_FORMATS.filter((f) => f !== 'json'), resolve(opts.reportDir)));
  const dashboard = await startDashboard(opts, spec.title);
  reporters.push(...dashboard.reporters(htmlReportOf(reporters)));
  const journal = await guardedRun(stateDir, runId, { reaper: opts.reaper, maxDurationMs: loaded.experiment.maxDuration }, (signal) => runExperiment(loaded, { kinds, stateDir, runId, reporters, signal, startServices: false, confirm: confirmRemote(opts.yes) }));
  await observers.close();
  // Quick faults count in `faultline history` too, keyed by their title ("kill api"); `random` is
  // one experiment whatever it picked, with the service it hit recorded per run.
  const hit = [...new Set(journal.faults.map((f) => f.service))].join(',');
  const identity = spec.historyKey !== undefined ? { key: spec.historyKey, ...(hit ? { target: hit } : {}) } : undefined;
  await recordRun(stateDir, journal, { ...(opts.reportDir ? { reportDir: resolve(opts.reportDir) } : {}), ...(identity ? { identity } : {}) }).catch((err: unknown) => {
    process.stderr.write(`faultline: warning: could not update the run history: ${(err as Error).message}\n`);
  });
  const result = quickResult(journal, system);
  if (result) for (const line of quickResultLines(result, journal.faults[0])) consoleReporter.summaryLine(line);
  consoleReporter.printVerdict(journal, { exitCode: journal.exitCode });
  if (opts.json) {
    printJson({
      runId: journal.runId,
      status: journal.status,
      exitCode: journal.exitCode,
      reasons: journal.reasons,
      // The common case, flat: the service the fault hit, its times, and what brought it back.
      ...(result ?? {}),
      faults: journal.faults,
      recovery: journal.recovery,
      serviceEvents: journal.serviceEvents,
    });
  }
  await dashboard.close();
  return journal.exitCode;
}

/** Flags every quick fault command shares; `systemHelp` says when the system file is needed. */
export function quickFlags(cmd: Command, systemHelp = 'system file (default: ./faultline.yaml, else the Compose file here)'): Command {
  return addDashboardOptions(addMetricsOptions(composeFlags(cmd.option('-s, --system <file>', systemHelp)))
    .option('--timeout <duration>', 'how long to wait for the service to be healthy again', '30s')
    .option('--sustained <n>', 'consecutive healthy probes that count as recovered', '3')
    .option('-r, --report-dir <dir>', 'also write journal.json and the reports (report.md, report.html, junit.xml) here')
    .option('--state-dir <dir>', 'ledger and run state (default: $FAULTLINE_STATE_DIR or ./.faultline)')
    .option('--json', 'print the result as JSON (fields as in journal.json: timeToRecoverMs, …)')
    .option('-y, --yes', 'do not ask before touching targets beyond this machine (needed when stdin is not a terminal)')
    .option('--no-reaper', 'do not start the reaper that reverts the fault if faultline dies'));
}

/** An approval names an experiment's exact content; a fault typed on the command line has none to approve. */
function refuseWithoutApproval(system: LoadedSystem): void {
  const reasons = systemApprovalReasons(system);
  if (reasons.length === 0) return;
  throw new ApprovalError(
    `every experiment on this system needs an approval (${reasons.join(' and ')}), and ad-hoc faults cannot be approved: write an experiment and approve it with \`faultline approve FILE --by NAME\`, then \`faultline run FILE\`. Nothing was touched.`,
    system.file,
  );
}
