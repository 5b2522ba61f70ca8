import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { collect, loadExperimentOrCatalog } from '../../catalog/resolve.js';
import { newRunId, runExperiment } from '../../experiment/runner/run-experiment.js';
import type { LoadedExperiment } from '../../experiment/loader/load-experiment.js';
import { DEFAULT_PROBE_TIMEOUT_MS } from '../../experiment/runtime/health.js';
import { ConsoleReporter } from '../../reporters/console-reporter.js';
import { JournalReporter } from '../../reporters/journal-reporter.js';
import { fileReportersFor } from '../../reporters/file-reporters.js';
import { parseFormats, REPORT_FORMATS } from '../../reporters/formats.js';
import { redact } from '../../reporters/redact.js';
import { notificationFor, postNotification } from '../../reporters/notify.js';
import { recordRun, type RunIdentity } from '../../history/index.js';
import type { Journal } from '../../journal/types.js';
import { confirmRemote } from '../confirm.js';
import { guardedRun } from '../guarded-run.js';
import { kinds, printJson, stateDirFrom, type CommonOptions } from '../context.js';
import { printPlan } from '../plan.js';
import { warnAboutLedger } from '../ledger-warnings.js';
import { resolveStateDir } from '../../safety/state-dir.js';
import { UsageError } from '../../errors/index.js';
import { addDashboardOptions, htmlReportOf, startDashboard, type DashboardFlags } from '../dashboard-options.js';
import { addMetricsOptions, startMetrics, type MetricsFlags } from '../metrics-options.js';
import { addKubeContextOption, applyKubeContext } from '../kube-options.js';

interface RunOptions extends CommonOptions, MetricsFlags, DashboardFlags {
  reportDir?: string;
  dryRun?: boolean;
  seed?: string;
  reaper?: boolean;
  yes?: boolean;
  format: string;
  failOnRegression?: boolean;
  notify?: string;
  target?: string;
  set?: string[];
  context?: string;
}

export function registerRun(program: Command, setExit: (code: number) => void): void {
  addDashboardOptions(addMetricsOptions(addKubeContextOption(program.command('run')))
    .description('Run a chaos experiment: check steady state, inject its faults, measure recovery, write the report')
    .argument('<file>', 'experiment file (.yaml, .yml, .json, .ts, .js), or catalog:<name> (see `faultline experiments list`)')
    .option('-s, --system <file>', "system file (default: the experiment's `system`, or faultline.yaml beside it)")
    .option('-t, --target <service>', 'catalog experiments: the service to aim at')
    .option('--set <name=value>', 'catalog experiments: a template parameter (repeatable)', collect)
    .option('-r, --report-dir <dir>', `where to write journal.json and the reports (default: <state dir>/reports/<run id>; here, without --state-dir: ${defaultReportDirHere()})`)
    .option('-f, --format <list>', `reports to write into the report dir, comma-separated: ${REPORT_FORMATS.join(', ')} (journal.json is always written)`, REPORT_FORMATS.join(','))
    .option('--fail-on-regression', 'exit 1 when this run is worse than the previous run of the same experiment (time to recover +20%, a check that held now fails)')
    .option('--notify <url>', 'POST a Slack-compatible JSON summary to this URL when the run does not pass (deviated, aborted, regressed)')
    .option('--dry-run', 'validate and print the plan; touch nothing')
    .option('--seed <n>', 'seed for random choices (default: the experiment\'s, else random; recorded in the journal)')
    .option('--state-dir <dir>', 'ledger and run state (default: $FAULTLINE_STATE_DIR or ./.faultline)')
    .option('--json', 'print the journal as JSON on stdout (progress goes to stderr)')
    .option('-y, --yes', 'do not ask before touching targets beyond this machine (needed when stdin is not a terminal)')
    .option('--no-reaper', 'do not start the reaper that reverts this run\'s faults if faultline dies (then only `faultline recover` does)')
    .addHelpText(
      'after',
      `
Exit codes:
  0  the hypothesis held
  1  the hypothesis deviated (a check failed, or recovery was too slow)
  2  invalid input: nothing was injected
  3  aborted (Ctrl-C, faultline stop, max duration, a failed injection): everything was reverted
  4  a revert failed: faults may remain; the message says which, then run \`faultline recover\`

Examples:
  faultline run examples/quickstart/kill-api.yaml --report-dir out
  faultline run catalog:service-kill --target api --set within=10s`,
    ))
    .action(async (file: string, opts: RunOptions) => {
      applyKubeContext(opts);
      const loaded = await loadExperimentOrCatalog(file, { systemFile: opts.system, target: opts.target, set: opts.set, kinds });
      if (opts.dryRun) {
        const stateDir = resolveStateDir(opts.stateDir); // read only: a dry run creates nothing
        await printPlan(loaded, process.stdout, stateDir);
        await warnAboutLedger(stateDir);
        setExit(0);
        return;
      }
      const formats = parseFormats(opts.format);
      const notifyUrl = opts.notify === undefined ? undefined : checkUrl(opts.notify);
      const stateDir = await stateDirFrom(opts);
      const observers = await startMetrics(opts); // --metrics-listen, --metrics-push, --grafana-url
      const runId = newRunId();
      const reportDir = resolve(opts.reportDir ?? resolve(stateDir, 'reports', runId));
      const journalReporter = new JournalReporter(reportDir);
      const fileReporters = fileReportersFor(formats.filter((f) => f !== 'json'), reportDir);
      // The final line waits for the regression gate, so it states the real verdict and exit code.
      const consoleReporter = new ConsoleReporter(opts.json ? process.stderr : process.stdout, { deferVerdict: true, reorderMs: reorderHold(loaded) });
      const dashboard = await startDashboard(opts, loaded.experiment.title);
      const journal = await guardedRun(stateDir, runId, { reaper: opts.reaper, maxDurationMs: loaded.experiment.maxDuration }, (signal) =>
        runExperiment(loaded, {
          kinds,
          stateDir,
          runId,
          reporters: [consoleReporter, journalReporter, ...fileReporters, ...observers.reporters, ...dashboard.reporters(htmlReportOf(fileReporters))],
          signal,
          confirm: confirmRemote(opts.yes),
          ...(opts.seed !== undefined ? { seed: Number(opts.seed) } : {}),
        }),
      );
      await observers.close();
      const say = (text: string) => (opts.json ? process.stderr : process.stdout).write(`${text}\n`);
      say(`  journal: ${journalReporter.path ?? '(not written)'}`);
      const written = fileReporters.map((r) => r.path).filter((p): p is string => p !== undefined);
      if (written.length) say(`  reports: ${written.join(', ')}`);
      const { exitCode, regressedAgainst } = await afterRun(journal, {
        stateDir,
        reportDir,
        failOnRegression: opts.failOnRegression === true,
        notifyUrl,
        say,
        ...(loaded.catalogParameters ? { identity: { parameters: loaded.catalogParameters } } : {}),
      });
      consoleReporter.printVerdict(journal, { exitCode, ...(regressedAgainst !== undefined ? { regressedAgainst } : {}) });
      if (opts.json) printJson(redact(journal));
      await dashboard.close();
      setExit(exitCode);
    });
}

/**
 * History, regression gate and notification. A regression turns a passing run into exit 1 with
 * --fail-on-regression; worse exit codes (aborted 3, revert failed 4) stay as they are. The history
 * records the gate's outcome with the run.
 */
async function afterRun(
  journal: Journal,
  o: { stateDir: string; reportDir: string; failOnRegression: boolean; notifyUrl: string | undefined; say: (text: string) => void; identity?: RunIdentity },
): Promise<{ exitCode: number; regressedAgainst?: string }> {
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
    process.stderr.write(`faultline: warning: could not update the run history: ${(err as Error).message}\n`);
  }
  for (const r of regressions) o.say(`  ${o.failOnRegression ? 'REGRESSION' : 'regression'}: ${r}`);
  const gateFailed = exitCode !== journal.exitCode;
  if (gateFailed) process.stderr.write(`faultline: failing the run (--fail-on-regression): ${regressions.join('; ')}\n`);
  if (o.notifyUrl && exitCode !== 0) {
    const error = await postNotification(o.notifyUrl, notificationFor(journal, { regressions: o.failOnRegression ? regressions : [], reportDir: o.reportDir }));
    if (error) process.stderr.write(`faultline: warning: notification not sent: ${error}\n`);
    else o.say(`  notified ${new URL(o.notifyUrl).host}`);
  }
  return { exitCode, ...(gateFailed && previous !== undefined ? { regressedAgainst: previous } : {}) };
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

/** The default report dir as it resolves in this shell (cwd and $FAULTLINE_STATE_DIR), for --help. */
function defaultReportDirHere(): string {
  try {
    return join(resolveStateDir(undefined), 'reports', '<run id>');
  } catch {
    return './.faultline/reports/<run id>';
  }
}

function checkUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return url;
  } catch {
    /* reported below */
  }
  throw new UsageError(`--notify: expected an http(s) URL, got "${url}"`);
}
