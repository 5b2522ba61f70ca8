import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadExperiment } from '../../experiment/loader/load-experiment.js';
import { newRunId, runExperiment } from '../../experiment/runner/run-experiment.js';
import { ConsoleReporter } from '../../reporters/console-reporter.js';
import { JournalReporter } from '../../reporters/journal-reporter.js';
import { confirmRemote } from '../confirm.js';
import { guardedRun } from '../guarded-run.js';
import { kinds, printJson, stateDirFrom, type CommonOptions } from '../context.js';
import { printPlan } from '../plan.js';
import { listActiveRuns } from '../../safety/active-runs.js';
import { ledgerPath, readLedger } from '../../safety/ledger.js';
import { openFaults } from '../../safety/open-faults.js';
import { resolveStateDir } from '../../safety/state-dir.js';

interface RunOptions extends CommonOptions {
  reportDir?: string;
  dryRun?: boolean;
  seed?: string;
  reaper?: boolean;
  yes?: boolean;
}

export function registerRun(program: Command, setExit: (code: number) => void): void {
  program
    .command('run')
    .description('Run a chaos experiment: check steady state, inject its faults, measure recovery, write the report')
    .argument('<file>', 'experiment file (.yaml, .yml, .json, .ts, .js)')
    .option('-s, --system <file>', "system file (default: the experiment's `system`, or faultline.yaml beside it)")
    .option('-r, --report-dir <dir>', 'where to write journal.json (default: .faultline/reports/<run id>)')
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

Example:
  faultline run examples/quickstart/kill-api.yaml --report-dir out`,
    )
    .action(async (file: string, opts: RunOptions) => {
      const loaded = await loadExperiment(file, { systemFile: opts.system, kinds });
      if (opts.dryRun) {
        const stateDir = resolveStateDir(opts.stateDir); // read only: a dry run creates nothing
        await printPlan(loaded, process.stdout, stateDir);
        await warnAboutOpenFaults(stateDir);
        setExit(0);
        return;
      }
      const stateDir = await stateDirFrom(opts);
      const runId = newRunId();
      const reportDir = resolve(opts.reportDir ?? resolve(stateDir, 'reports', runId));
      const journalReporter = new JournalReporter(reportDir);
      const consoleReporter = new ConsoleReporter(opts.json ? process.stderr : process.stdout);
      await warnAboutOpenFaults(stateDir);
      const journal = await guardedRun(stateDir, runId, opts, (signal) =>
        runExperiment(loaded, {
          kinds,
          stateDir,
          runId,
          reporters: [consoleReporter, journalReporter],
          signal,
          confirm: confirmRemote(opts.yes),
          ...(opts.seed !== undefined ? { seed: Number(opts.seed) } : {}),
        }),
      );
      (opts.json ? process.stderr : process.stdout).write(`  journal: ${journalReporter.path ?? '(not written)'}\n`);
      if (opts.json) printJson(journal);
      setExit(journal.exitCode);
    });
}

/** Faults left open by an earlier crash are worth knowing about before adding new ones. */
async function warnAboutOpenFaults(stateDir: string): Promise<void> {
  const { active } = await listActiveRuns(stateDir);
  const live = new Set(active.map((r) => r.runId));
  const open = openFaults(await readLedger(ledgerPath(stateDir))).filter((f) => !live.has(f.runId));
  if (open.length === 0) return;
  process.stderr.write(
    `faultline: warning: ${open.length} fault(s) from earlier runs are still open (${open.map((f) => `${f.kind} on ${f.target}`).join(', ')}); run \`faultline recover\` to revert them\n`,
  );
}
