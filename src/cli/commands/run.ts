import { join } from 'node:path';
import type { Command } from 'commander';
import { collect, loadExperimentOrCatalog } from '../../catalog/resolve.js';
import { parseFormats, REPORT_FORMATS } from '../../reporters/formats.js';
import { redact } from '../../reporters/redact.js';
import { executeRun } from '../../routine/execute-run.js';
import { checkNotifyUrl } from '../notify-url.js';
import { requireApproval } from '../../approval/check.js';
import { confirmRemote } from '../confirm.js';
import { kinds, printJson, stateDirFrom, type CommonOptions } from '../context.js';
import { printPlan } from '../plan.js';
import { warnAboutLedger } from '../ledger-warnings.js';
import { resolveStateDir } from '../../safety/state-dir.js';
import { addDashboardOptions, startDashboard, type DashboardFlags } from '../dashboard-options.js';
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
      const notifyUrl = opts.notify === undefined ? undefined : checkNotifyUrl(opts.notify);
      const stateDir = await stateDirFrom(opts);
      // Refuse before the metrics server and dashboard start; executeRun checks again (the gate for every caller).
      await requireApproval(loaded, stateDir);
      const observers = await startMetrics(opts); // --metrics-listen, --metrics-push, --grafana-url
      const dashboard = await startDashboard(opts, loaded.experiment.title);
      const { journal, exitCode } = await executeRun(loaded, {
        stateDir,
        ...(opts.reportDir !== undefined ? { reportDir: opts.reportDir } : {}),
        formats,
        failOnRegression: opts.failOnRegression === true,
        ...(notifyUrl !== undefined ? { notifyUrl } : {}),
        ...(opts.seed !== undefined ? { seed: Number(opts.seed) } : {}),
        ...(opts.reaper === false ? { reaper: false } : {}),
        confirm: confirmRemote(opts.yes),
        out: opts.json ? process.stderr : process.stdout,
        reporters: (htmlReport) => [...observers.reporters, ...dashboard.reporters(htmlReport)],
        afterRunner: () => observers.close(),
      });
      if (opts.json) printJson(redact(journal));
      await dashboard.close();
      setExit(exitCode);
    });
}

/** The default report dir as it resolves in this shell (cwd and $FAULTLINE_STATE_DIR), for --help. */
function defaultReportDirHere(): string {
  try {
    return join(resolveStateDir(undefined), 'reports', '<run id>');
  } catch {
    return './.faultline/reports/<run id>';
  }
}
