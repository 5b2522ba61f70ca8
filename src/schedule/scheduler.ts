/**
 * The scheduler: one croner timer per job; at each tick the job runs through `executeRun`, the
 * same entry point as `faultline run`, unless something says it must not, and every tick's
 * outcome is recorded (src/schedule/state.ts):
 *
 * - the job is still running (or waiting to) from an earlier tick → skipped, never overlapped;
 * - outside the job's or the experiment's time windows → skipped;
 * - its files no longer validate → invalid (the errors are recorded);
 * - it needs an approval it does not have → skipped (docs/approvals.md);
 * - another job touching one of its services is running → it waits for that job;
 * - then the ledger holds faults of a run that is gone → skipped until `faultline recover`;
 * - the same experiment runs in another process → skipped.
 *
 * SIGTERM (or stop()) aborts the runs in progress: their faults are reverted, their reports
 * written, and the scheduler exits 3 as `faultline run` does when aborted (0 when nothing ran).
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { Cron } from 'croner';
import { UsageError, isValidationError, formatIssue } from '../errors/index.js';
import { newRunId } from '../experiment/runner/run-experiment.js';
import type { LoadedExperiment } from '../experiment/loader/load-experiment.js';
import { approvalStatus } from '../approval/index.js';
import { executeRun } from '../routine/execute-run.js';
import { listActiveRuns } from '../safety/active-runs.js';
import { ledgerPath, readLedgerContents } from '../safety/ledger.js';
import { openFaults } from '../safety/open-faults.js';
import { outsideWindows } from '../safety/time-windows.js';
import { formatDuration } from '../util/duration.js';
import { sleep } from '../util/sleep.js';
import { webhookUrl } from '../routine/webhook.js';
import { loadJob, servicesTouched, type Job } from './job.js';
import { LinePrefixer, Tee } from './line-prefixer.js';
import { ScheduleStore, scheduleDir, worstExitCode, type ScheduleSnapshot, type TickRecord } from './state.js';

export interface SchedulerOptions {
  scheduleFile: string;
  stateDir: string;
  jobs: Job[];
  /** The scheduler's own lines (one per tick outcome). */
  out: NodeJS.WritableStream;
  /** Also print each run's console output, prefixed with `[job] ` (it always goes to the run's console.log). */
  verbose?: boolean;
  /** Targets beyond this machine need this: a scheduled run cannot ask. */
  yes?: boolean;
  reaper?: boolean;
}

interface Active {
  services: Set<string>;
  done: Promise<void>;
  runIds: string[];
  since: string;
}

const HEARTBEAT_MS = 60_000;
const MAX_MISSED_COUNTED = 10_000;

export class Scheduler {
  readonly store: ScheduleStore;
  #crons = new Map<string, Cron>();
  /** Jobs between their tick and their end (including jitter and waiting for another job). */
  #busy = new Map<string, string>();
  /** Jobs whose runs are in progress. */
  #active = new Map<string, Active>();
  #stop = new AbortController();
  #heartbeat: NodeJS.Timeout | undefined;
  #startedAt = new Date().toISOString();
  #inFlight = new Set<Promise<unknown>>();
  #abortedRuns = 0;
  #snapshotChain: Promise<void> = Promise.resolve();
  /** Holds the lock and owns state.json (a `--once` run only appends its tick). */
  #owner = false;

  constructor(
    private readonly o: SchedulerOptions,
    store?: ScheduleStore,
  ) {
    this.store = store ?? new ScheduleStore(scheduleDir(o.stateDir, o.scheduleFile));
  }

  get stopped(): boolean {
    return this.#stop.signal.aborted;
  }

  /** Takes the lock, settles what a previous scheduler left, and starts the timers. */
  async start(): Promise<void> {
    const lock = await this.store.lock();
    if (!lock.ok) throw new SchedulerBusy(lock.pid, lock.since, this.store.dir);
    this.#owner = true;
    const previous = await this.store.readSnapshot();
    const ticks = await this.store.readTicks();
    if (previous) await this.#settlePrevious(previous, ticks);
    for (const job of this.o.jobs) {
      const cron = new Cron(job.cron, { ...(job.timezone ? { timezone: job.timezone } : {}), catch: (err) => this.#say(job.name, `timer error: ${String(err)}`) }, () => {
        this.#tick(job, new Date());
      });
      this.#crons.set(job.name, cron);
      const next = cron.nextRun();
      this.#say(job.name, `scheduled "${job.cron}"${job.timezone ? ` (${job.timezone})` : ''}; next run ${next ? next.toISOString() : 'never (the expression has no future time)'}`);
    }
    await this.#saveSnapshot();
    this.#heartbeat = setInterval(() => void this.#saveSnapshot(), HEARTBEAT_MS);
    this.#heartbeat.unref();
    if (previous) {
      for (const job of this.o.jobs) {
        if (job.catchUp && this.#missedSince(job, previous, ticks).count > 0) this.#tick(job, new Date(), 'catch-up after missed ticks');
      }
    }
  }

  /**
   * Stops the timers, aborts the runs in progress (they revert and write their reports), waits for
   * them, and releases the lock. Resolves to the exit code: 3 when a run was aborted, else 0.
   */
  async stop(reason: string): Promise<number> {
    if (!this.#stop.signal.aborted) {
      for (const c of this.#crons.values()) c.stop();
      if (this.#active.size) this.#say('scheduler', `stopping (${reason}): aborting ${[...this.#active.keys()].join(', ')}; their faults are reverted first`);
      else this.#say('scheduler', `stopping (${reason})`);
      this.#stop.abort(new Error(reason));
    }
    while (this.#inFlight.size) await Promise.allSettled([...this.#inFlight]);
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    if (this.#owner) {
      await this.#saveSnapshot(new Date().toISOString());
      await this.store.unlock();
      this.#owner = false;
    }
    return this.#abortedRuns > 0 ? 3 : 0;
  }

  /** Runs one job now, as a tick would, with the same checks (`--once`); resolves to its record. */
  async runNow(job: Job): Promise<TickRecord> {
    const p = this.#runJob(job, new Date(), undefined, true);
    this.#inFlight.add(p);
    try {
      return await p;
    } finally {
      this.#inFlight.delete(p);
    }
  }

  /** The runs in progress (for the reason of a SIGTERM: `faultline stop` leaves one per run). */
  activeRunIds(): string[] {
    return [...this.#active.values()].flatMap((a) => a.runIds);
  }

  #tick(job: Job, at: Date, why?: string): void {
    if (this.stopped) return;
    const busy = this.#busy.get(job.name);
    if (busy !== undefined) {
      void this.#record({ job: job.name, at: at.toISOString(), outcome: 'skipped', reason: `the previous tick is still in progress (${busy})` });
      return;
    }
    const p = this.#runJob(job, at, why, false).catch((err: unknown) => {
      this.#say(job.name, `internal error: ${(err as Error).stack ?? String(err)}`);
    });
    this.#inFlight.add(p);
    void p.finally(() => this.#inFlight.delete(p));
  }

  async #runJob(job: Job, at: Date, why: string | undefined, manual: boolean): Promise<TickRecord> {
    const base = { job: job.name, at: at.toISOString(), ...(manual ? { manual: true } : {}) };
    const skip = async (reason: string, outcome: 'skipped' | 'invalid' = 'skipped') => this.#record({ ...base, outcome, reason });
    this.#busy.set(job.name, `tick of ${at.toISOString()}`);
    try {
      if (why && !manual) this.#say(job.name, why);
      if (job.jitterMs > 0) {
        const delay = Math.floor(Math.random() * job.jitterMs);
        this.#busy.set(job.name, `waiting ${formatDuration(delay)} of jitter`);
        if (!(await sleep(delay, this.#stop.signal))) return await skip('the scheduler stopped during the jitter delay');
      }
      const veto = outsideWindows(job.windows, new Date());
      if (veto) return await skip(`outside the job's time windows: ${veto}`);
      let loaded: LoadedExperiment[];
      try {
        loaded = await loadJob(job);
      } catch (err) {
        const message = isValidationError(err) ? err.issues.map(formatIssue).join('; ') : (err as Error).message;
        return await skip(message, 'invalid');
      }
      for (const l of loaded) {
        const windowVeto = outsideWindows(l.experiment.guardrails.windows, new Date());
        if (windowVeto) return await skip(`outside the experiment's time windows (${l.file}): ${windowVeto}`);
        const approval = await approvalStatus(l, this.o.stateDir);
        if (approval.required && !approval.approval) return await skip(`${l.file} needs an approval (${approval.why}): ${approval.problem ?? 'none found'}; \`${approval.command}\``);
      }
      const claim = await this.#claim(job, servicesTouched(loaded));
      if (!claim) return await skip('the scheduler stopped before the job could start');
      try {
        // After the claim: a job waited for may have left a fault open (a failed revert).
        const blocked = await this.#blockedBySafety(loaded);
        if (blocked) return await skip(blocked);
        return await this.#execute(job, loaded, claim.active, { ...base, ...(claim.waitedFor ? { waitedFor: claim.waitedFor } : {}) });
      } finally {
        this.#active.delete(job.name);
        claim.finish();
      }
    } finally {
      this.#busy.delete(job.name);
    }
  }

  /**
   * Waits while a running job touches one of these services, then claims them: the check and the
   * claim happen in one synchronous step, so two jobs whose ticks coincide never both start.
   */
  async #claim(job: Job, services: Set<string>): Promise<{ active: Active; finish: () => void; waitedFor?: string } | undefined> {
    const waited: string[] = [];
    for (;;) {
      if (this.stopped) return undefined;
      const conflict = [...this.#active.entries()].find(([name, a]) => name !== job.name && [...a.services].some((s) => services.has(s)));
      if (!conflict) {
        let finish!: () => void;
        const active: Active = { services, done: new Promise<void>((r) => (finish = r)), runIds: [], since: new Date().toISOString() };
        this.#active.set(job.name, active);
        return { active, finish, ...(waited.length ? { waitedFor: waited.join(', ') } : {}) };
      }
      const [other, a] = conflict;
      const shared = [...a.services].filter((s) => services.has(s));
      this.#busy.set(job.name, `waiting for job ${other}, which touches ${shared.join(', ')}`);
      this.#say(job.name, `waiting for job ${other} to end: both touch ${shared.join(', ')}`);
      if (!waited.includes(other)) waited.push(other);
      await new Promise<void>((resolve) => {
        const onStop = () => resolve();
        this.#stop.signal.addEventListener('abort', onStop, { once: true });
        void a.done.then(() => {
          this.#stop.signal.removeEventListener('abort', onStop); // a long-lived scheduler waits many times
          resolve();
        });
      });
    }
  }

  async #execute(job: Job, loaded: LoadedExperiment[], active: Active, base: Omit<TickRecord, 'outcome'>): Promise<TickRecord> {
    const runs: NonNullable<TickRecord['runs']> = [];
    const notify = webhookUrl(job.notify);
    if (notify.problem) this.#say(job.name, `warning: notify: ${notify.problem}, so no notification can be sent`);
    for (const l of loaded) {
      if (this.stopped) break;
      const runId = newRunId();
      active.runIds.push(runId);
      this.#busy.set(job.name, `run ${runId}`);
      await this.#saveSnapshot();
      const reportDir = join(this.o.stateDir, 'reports', runId);
      await mkdir(reportDir, { recursive: true });
      const log = createWriteStream(join(reportDir, 'console.log'));
      const out: Writable = this.o.verbose ? new Tee([log, new LinePrefixer(this.o.out, `[${job.name}] `)]) : log;
      this.#say(job.name, `run ${runId} started: ${l.experiment.title} (${l.file})`);
      try {
        const result = await executeRun(l, {
          stateDir: this.o.stateDir,
          runId,
          reportDir,
          formats: job.formats,
          failOnRegression: job.failOnRegression,
          ...(notify.url !== undefined ? { notifyUrl: notify.url } : {}),
          ...(this.o.reaper === false ? { reaper: false } : {}),
          confirm: async (targets) => {
            if (this.o.yes) return true;
            out.write(`this run targets systems beyond this machine (${targets.map((t) => t.label).join(', ')}); a scheduled run cannot ask: start the scheduler with --yes\n`);
            return false;
          },
          out,
          err: out,
          signals: false,
          signal: this.#stop.signal,
        });
        runs.push({ runId, file: l.file, status: result.journal.status, exitCode: result.exitCode, reportDir });
        if (this.stopped && result.journal.status === 'aborted') this.#abortedRuns++;
        this.#say(job.name, `run ${runId} ${describeEnd(result.journal.status, result.exitCode, result.regressions)} in ${formatDuration(result.journal.durationMs)}; reports in ${reportDir}`);
        if (result.exitCode >= 3) break; // an aborted or unreverted run ends the suite: the system is not known to be as it was
      } catch (err) {
        runs.push({ runId, file: l.file, exitCode: 2, reportDir });
        this.#say(job.name, `run ${runId} could not run: ${(err as Error).message}`);
        break;
      } finally {
        await new Promise<void>((r) => out.end(r));
      }
    }
    return this.#record({ ...base, outcome: 'ran', startedAt: active.since, runs, exitCode: worstExitCode(runs.map((r) => r.exitCode ?? 2)), endedAt: new Date().toISOString() });
  }

  /** Why a run must not start now for the ledger's or another process's sake, if it must not. */
  async #blockedBySafety(loaded: LoadedExperiment[]): Promise<string | undefined> {
    const { active } = await listActiveRuns(this.o.stateDir).catch(() => ({ active: [] as Awaited<ReturnType<typeof listActiveRuns>>['active'] }));
    const elsewhere = active.find((r) => r.pid !== process.pid && loaded.some((l) => l.absPath === r.file));
    if (elsewhere) return `the same experiment is running in another process (pid ${elsewhere.pid}, run ${elsewhere.runId})`;
    const contents = await readLedgerContents(ledgerPath(this.o.stateDir)).catch(() => undefined);
    if (contents) {
      const live = new Set(active.map((r) => r.runId));
      const open = openFaults(contents.entries).filter((f) => !live.has(f.runId));
      if (open.length) return `${open.length} fault(s) of an earlier run are still open (${open.map((f) => `${f.kind} on ${f.target}`).join(', ')}): run \`faultline recover\` first`;
    }
    return undefined;
  }

  /** Records what the previous scheduler left: runs it was in when it died, ticks missed while none ran. */
  async #settlePrevious(previous: ScheduleSnapshot, ticks: TickRecord[]): Promise<void> {
    for (const job of this.o.jobs) {
      const running = previous.jobs[job.name]?.running;
      if (running && !previous.stoppedAt) {
        await this.#record({
          job: job.name,
          at: running.since,
          outcome: 'interrupted',
          runs: running.runIds.map((runId) => ({ runId, file: '', reportDir: join(this.o.stateDir, 'reports', runId) })),
          reason: `the scheduler (pid ${previous.pid}) stopped during run ${running.runIds.join(', ')}; its reaper reverts a run's faults when its process dies (\`faultline audit\` shows it, \`faultline recover\` finishes the job if the reaper could not)`,
        });
      }
      const missed = this.#missedSince(job, previous, ticks);
      if (missed.count > 0) {
        await this.#record({ job: job.name, at: missed.last!, outcome: 'missed', count: missed.count, reason: `no scheduler ran from ${missed.from} to ${new Date().toISOString()}` });
      }
    }
  }

  #missedSince(job: Job, previous: ScheduleSnapshot, ticks: TickRecord[]): { count: number; last?: string; from: string } {
    const lastTick = ticks.filter((t) => t.job === job.name && t.outcome !== 'missed').at(-1)?.at;
    const from = [previous.stoppedAt ?? previous.aliveAt, lastTick].filter((x): x is string => x !== undefined).sort().at(-1)!;
    const cron = new Cron(job.cron, { paused: true, ...(job.timezone ? { timezone: job.timezone } : {}) });
    let count = 0;
    let last: Date | undefined;
    let t: Date | null = new Date(from);
    const now = Date.now();
    while (count < MAX_MISSED_COUNTED && (t = cron.nextRun(t)) !== null && t.getTime() < now) {
      count++;
      last = t;
    }
    cron.stop();
    return { count, from, ...(last ? { last: last.toISOString() } : {}) };
  }

  async #record(tick: TickRecord): Promise<TickRecord> {
    if (tick.outcome !== 'ran') this.#say(tick.job, `${tick.outcome}${tick.count !== undefined ? ` (${tick.count} ticks)` : ''}: ${tick.reason ?? ''}`);
    try {
      await this.store.appendTick(tick);
    } catch (err) {
      this.#say(tick.job, `warning: could not record the tick in ${this.store.ticksPath}: ${(err as Error).message}`);
    }
    await this.#saveSnapshot();
    return tick;
  }

  /** The snapshot, written one at a time in order (the heartbeat and every change). */
  #saveSnapshot(stoppedAt?: string): Promise<void> {
    if (!this.#owner) return this.#snapshotChain;
    this.#snapshotChain = this.#snapshotChain.then(async () => {
      const jobs: ScheduleSnapshot['jobs'] = {};
      for (const job of this.o.jobs) {
        const next = this.#crons.get(job.name)?.nextRun();
        const a = this.#active.get(job.name);
        jobs[job.name] = {
          ...(next && !stoppedAt ? { nextRun: next.toISOString() } : {}),
          ...(a ? { running: { since: a.since, runIds: [...a.runIds], pid: process.pid } } : {}),
        };
      }
      await this.store
        .writeSnapshot({ v: 1, file: resolve(this.o.scheduleFile), pid: process.pid, startedAt: this.#startedAt, aliveAt: new Date().toISOString(), ...(stoppedAt ? { stoppedAt } : {}), jobs })
        .catch((err: unknown) => this.#say('scheduler', `warning: could not write ${this.store.snapshotPath}: ${(err as Error).message}`));
    });
    return this.#snapshotChain;
  }

  #say(who: string, text: string): void {
    this.o.out.write(`${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} ${who}: ${text}\n`);
  }
}

export class SchedulerBusy extends UsageError {
  constructor(
    readonly pid: number,
    readonly since: string,
    dir: string,
  ) {
    super(`another scheduler (pid ${pid}, since ${since}) already runs this schedule with this state dir (${dir}); stop it first, or use \`faultline schedule status\``);
  }
}

function describeEnd(status: string, exitCode: number, regressions: string[]): string {
  const what = status === 'held' ? (regressions.length && exitCode === 1 ? 'held but regressed' : 'held') : status;
  return `${what} (exit ${exitCode})`;
}
