/** `faultline schedule FILE` (the long-running scheduler), `--once JOB`, `--check`, and `faultline schedule status FILE`. */
import type { Command } from 'commander';
import { Cron } from 'croner';
import { UsageError } from '../../errors/index.js';
import { parseFormats, REPORT_FORMATS } from '../../reporters/formats.js';
import { readStopRequest } from '../../safety/active-runs.js';
import { resolveStateDir } from '../../safety/state-dir.js';
import type { ScheduleFlags } from '../../schedule/job.js';
import { loadSchedule } from '../../schedule/load-schedule.js';
import { Scheduler } from '../../schedule/scheduler.js';
import { ScheduleStore, scheduleDir } from '../../schedule/state.js';
import { renderStatus, scheduleStatus } from '../../schedule/status.js';
import { checkNotifyUrl } from '../notify-url.js';
import { printJson, stateDirFrom } from '../context.js';

interface ScheduleOptions {
  system?: string;
  stateDir?: string;
  notify?: string;
  failOnRegression?: boolean;
  format?: string;
  yes?: boolean;
  reaper?: boolean;
  verbose?: boolean;
  once?: string;
  check?: boolean;
}

export function registerSchedule(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('schedule')
    .description('Run experiments on a schedule (cron with seconds and time zones), never overlapping, within their windows; `schedule status FILE` shows jobs and outcomes')
    .argument('<file>', 'schedule file (.yaml/.json): jobs with a cron expression and an experiment, catalog:<name> or suite')
    .option('-s, --system <file>', 'system file for every job (wins over the file\'s `system`)')
    .option('--state-dir <dir>', 'ledger, history, reports and the schedule\'s state (default: $FAULTLINE_STATE_DIR or ./.faultline)')
    .option('--notify <url>', 'POST a summary here when a run does not pass (wins over the file\'s `notify`)')
    .option('--fail-on-regression', 'count a run worse than the previous run of the same experiment as failed (every job)')
    .option('-f, --format <list>', `reports besides journal.json, comma-separated: ${REPORT_FORMATS.join(', ')} (default: the job's, else all)`)
    .option('-y, --yes', 'allow runs that target systems beyond this machine (a scheduled run cannot ask)')
    .option('--no-reaper', "do not start a reaper per run (then only `faultline recover` reverts a run's faults if the scheduler dies)")
    .option('-v, --verbose', "also print each run's progress, prefixed with its job's name (it is always in the run's console.log)")
    .option('--once <job>', 'run this job now, with the same checks, then exit with its exit code')
    .option('--check', 'validate the schedule and every job\'s experiments, print the next runs, and exit')
    .addHelpText(
      'after',
      `
The smallest schedule file:
  jobs:
    - name: pause-api
      experiment: ./pause.yaml
      cron: "*/2 * * * * *"      # seconds first when there are 6 fields

Each run writes its journal and reports to <state dir>/reports/<run id>/ (plus console.log), and
its history, like \`faultline run\`. A tick is skipped and recorded when the job is still running,
outside its windows, invalid, unapproved, or the ledger has open faults; a job waits for another
that touches the same service. SIGTERM or Ctrl-C aborts the runs in progress and reverts them.

Exit codes (scheduler): 0 stopped with nothing running, 2 invalid schedule, 3 stopped during a run
(it was aborted and reverted). With --once: the run's exit code (0 held, 1 deviated or regressed,
3 aborted, 4 a revert failed), or 2 when it was skipped or invalid.

Examples:
  faultline schedule chaos/schedule.yaml --yes
  faultline schedule chaos/schedule.yaml --once pause-api
  faultline schedule status chaos/schedule.yaml`,
    )
    .action(async (file: string, opts: ScheduleOptions) => {
      const flags: ScheduleFlags = {
        ...(opts.system !== undefined ? { system: opts.system } : {}),
        ...(opts.notify !== undefined ? { notify: checkNotifyUrl(opts.notify) } : {}),
        ...(opts.failOnRegression ? { failOnRegression: true } : {}),
        ...(opts.format !== undefined ? { formats: parseFormats(opts.format) } : {}),
      };
      const jobs = await loadSchedule(file, flags);
      if (opts.check) {
        printCheck(file, jobs);
        setExit(0);
        return;
      }
      const stateDir = await stateDirFrom(opts);
      const scheduler = new Scheduler({ scheduleFile: file, stateDir, jobs, out: process.stdout, verbose: opts.verbose === true, yes: opts.yes === true, ...(opts.reaper === false ? { reaper: false } : {}) });
      if (opts.once !== undefined) {
        const job = jobs.find((j) => j.name === opts.once);
        if (!job) throw new UsageError(`--once ${opts.once}: no such job in ${file}; its jobs are ${jobs.map((j) => j.name).join(', ')}`);
        const holder = await scheduler.store.lockHolder();
        const snap = holder ? await scheduler.store.readSnapshot() : undefined;
        const running = snap?.jobs[job.name]?.running;
        if (running) throw new UsageError(`--once ${job.name}: the scheduler (pid ${holder!.pid}) is running this job now (run ${running.runIds.join(', ')} since ${running.since}); wait for it, or see \`faultline schedule status ${file}\``);
        const dispose = onSignals(stateDir, scheduler);
        try {
          const record = await scheduler.runNow(job);
          setExit(record.outcome === 'ran' ? (record.exitCode ?? 0) : 2);
        } finally {
          dispose();
        }
        return;
      }
      await scheduler.start();
      process.stdout.write(`faultline schedule: ${jobs.length} job(s) from ${file}; state in ${scheduler.store.dir}; Ctrl-C or SIGTERM stops (runs in progress are aborted and reverted)\n`);
      const code = await new Promise<number>((resolveExit) => {
        onSignals(stateDir, scheduler, (c) => resolveExit(c));
      });
      setExit(code);
    });

  cmd
    .command('status')
    .description('Show a schedule\'s jobs: next run, the run in progress, the last outcomes, and whether a scheduler is running')
    .argument('<file>', 'the schedule file')
    .option('-s, --system <file>', 'system file, as given to `faultline schedule`')
    .option('--state-dir <dir>', 'state dir, as given to `faultline schedule` (default: $FAULTLINE_STATE_DIR or ./.faultline)')
    .option('--json', 'print the status as JSON')
    .action(async (file: string, _opts: unknown, command: Command) => {
      // `schedule` has --system and --state-dir too: commander gives them to whichever it parses first.
      const opts = command.optsWithGlobals<{ system?: string; stateDir?: string; json?: boolean }>();
      const jobs = await loadSchedule(file, opts.system !== undefined ? { system: opts.system } : {});
      const stateDir = resolveStateDir(opts.stateDir); // read only
      const status = await scheduleStatus(jobs, new ScheduleStore(scheduleDir(stateDir, file)), file);
      if (opts.json) printJson(status);
      else process.stdout.write(renderStatus(status));
      setExit(0);
    });
}

/**
 * Ctrl-C, SIGTERM and SIGHUP stop the scheduler (runs in progress are aborted and reverted); a
 * second signal says it is still reverting. `onStopped` gets the exit code.
 */
function onSignals(stateDir: string, scheduler: Scheduler, onStopped?: (code: number) => void): () => void {
  const handler = (name: NodeJS.Signals) => {
    if (scheduler.stopped) {
      process.stderr.write(`faultline schedule: still reverting the runs in progress after ${name}; they are undone before exit\n`);
      return;
    }
    void (async () => {
      let reason = name === 'SIGINT' ? 'interrupted (Ctrl-C)' : `received ${name}`;
      if (name === 'SIGTERM') {
        for (const runId of scheduler.activeRunIds()) {
          const stop = await readStopRequest(stateDir, runId).catch(() => undefined);
          if (stop) reason = `emergency stop by ${stop.by}: ${stop.reason}`;
        }
      }
      const code = await scheduler.stop(reason);
      onStopped?.(code);
    })();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, handler);
  return () => signals.forEach((s) => process.off(s, handler));
}

function printCheck(file: string, jobs: Awaited<ReturnType<typeof loadSchedule>>): void {
  process.stdout.write(`${file}: ${jobs.length} job(s), every experiment valid\n`);
  for (const job of jobs) {
    const cron = new Cron(job.cron, { paused: true, ...(job.timezone ? { timezone: job.timezone } : {}) });
    const next = cron.nextRuns(3).map((d) => d.toISOString());
    cron.stop();
    process.stdout.write(`  ${job.name}: "${job.cron}"${job.timezone ? ` (${job.timezone})` : ''} → ${job.experiments.join(', ')}\n    next: ${next.join(', ') || 'never'}\n`);
  }
}
