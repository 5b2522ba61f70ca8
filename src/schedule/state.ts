/**
 * What the scheduler keeps in `<state dir>/schedule/<name>-<hash>/`:
 *
 * - `ticks.jsonl`: every tick's outcome (ran, skipped and why, missed while down, interrupted),
 *   appended and fsync'd, so `--once` and the scheduler can both write it and nothing is lost;
 * - `state.json`: the scheduler's snapshot (its pid, each job's next run and the run in progress),
 *   rewritten atomically by the scheduler alone;
 * - `scheduler.pid`: the lock that keeps two schedulers off one schedule.
 *
 * `<name>-<hash>` is the schedule file's base name and a hash of its absolute path, so two
 * schedules in one state dir keep apart and `faultline schedule status FILE` finds its own.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../safety/atomic-write.js';
import { appendDurable } from '../safety/durable.js';
import { readJsonLines } from '../util/json-lines.js';
import { isPidAlive, processStartTime } from '../safety/pid.js';

export type TickOutcome =
  /** A run (or a suite's runs) started; status and exitCode once it ended. */
  | 'ran'
  /** The tick came and nothing ran: `reason` says why (still running, outside window, no approval, …). */
  | 'skipped'
  /** The job's files no longer load: `reason` has the validation errors. */
  | 'invalid'
  /** Ticks that passed while no scheduler ran (`count` of them, the last at `at`). */
  | 'missed'
  /** The scheduler stopped (crash, kill -9) during this run; its reaper reverted its faults. */
  | 'interrupted';

export interface TickRecord {
  job: string;
  /** ISO time of the tick. */
  at: string;
  /** `ran`: when its first run started (later than the tick after jitter or waiting for another job). */
  startedAt?: string;
  outcome: TickOutcome;
  reason?: string;
  /** `ran`: the runs, one per experiment of a suite. */
  runs?: { runId: string; file: string; status?: string; exitCode?: number; reportDir?: string }[];
  /** `ran`: the worst exit code of its runs (4 > 3 > 1 > 0, as `faultline run` would exit). */
  exitCode?: number;
  endedAt?: string;
  /** `missed`: how many ticks. */
  count?: number;
  /** Started with `faultline schedule --once` rather than by the clock. */
  manual?: boolean;
  /** `faultline schedule` waited for another job that touches the same services. */
  waitedFor?: string;
}

export interface RunningJob {
  since: string;
  runIds: string[];
  /** The pid that runs it: the scheduler, or a `--once`. */
  pid: number;
}

export interface ScheduleSnapshot {
  v: 1;
  file: string;
  pid: number;
  pidStartTime?: string;
  startedAt: string;
  /** Written every minute and at every change: ticks after it and before a restart were missed. */
  aliveAt: string;
  /** Set on a clean stop. */
  stoppedAt?: string;
  jobs: Record<string, { nextRun?: string; running?: RunningJob }>;
}

export function scheduleDir(stateDir: string, scheduleFile: string): string {
  const abs = resolve(scheduleFile);
  const hash = createHash('sha256').update(abs).digest('hex').slice(0, 8);
  return join(stateDir, 'schedule', `${basename(abs, extname(abs))}-${hash}`);
}

export class ScheduleStore {
  constructor(readonly dir: string) {}

  get ticksPath(): string {
    return join(this.dir, 'ticks.jsonl');
  }
  get snapshotPath(): string {
    return join(this.dir, 'state.json');
  }
  get lockPath(): string {
    return join(this.dir, 'scheduler.pid');
  }

  async appendTick(tick: TickRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await appendDurable(this.ticksPath, `${JSON.stringify(tick)}\n`);
  }

  /** Every tick recorded, oldest first (a torn last line from a crash is skipped). */
  async readTicks(): Promise<TickRecord[]> {
    return (await readJsonLines(this.ticksPath)) as TickRecord[];
  }

  async readSnapshot(): Promise<ScheduleSnapshot | undefined> {
    try {
      return JSON.parse(await readFile(this.snapshotPath, 'utf8')) as ScheduleSnapshot;
    } catch {
      return undefined;
    }
  }

  async writeSnapshot(snapshot: ScheduleSnapshot): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(this.snapshotPath, `${JSON.stringify(snapshot, null, 2)}\n`);
  }

  /**
   * Takes the scheduler lock (O_EXCL), or returns the live holder. A holder that is gone (crash,
   * kill -9), or whose pid now belongs to another process, is stale and is replaced.
   */
  async lock(): Promise<{ ok: true } | { ok: false; pid: number; since: string }> {
    await mkdir(this.dir, { recursive: true });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const f = await open(this.lockPath, 'wx');
        await f.writeFile(JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid), since: new Date().toISOString() }));
        await f.close();
        return { ok: true };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = await this.lockHolder();
      if (holder) return { ok: false, pid: holder.pid, since: holder.since };
      // Stale. Known gap: two schedulers judging the same stale lock at the same instant could both
      // remove it, one removing the other's fresh lock (src/safety/state-lock.ts closes that window
      // by renaming aside and re-checking; a scheduler starts rarely enough that this does not).
      await rm(this.lockPath, { force: true });
    }
    throw new Error(`could not take the scheduler lock ${this.lockPath}`);
  }

  /** The live scheduler holding the lock, if any. */
  async lockHolder(): Promise<{ pid: number; since: string } | undefined> {
    try {
      const h = JSON.parse(await readFile(this.lockPath, 'utf8')) as { pid: number; startTime?: string; since: string };
      return isPidAlive(h.pid, h.startTime) ? { pid: h.pid, since: h.since } : undefined;
    } catch {
      return undefined;
    }
  }

  async unlock(): Promise<void> {
    await rm(this.lockPath, { force: true });
  }
}

/** The exit code a pipeline would see for several runs: revert failed (4) > aborted (3) > invalid (2) > deviated (1) > held (0). */
export function worstExitCode(codes: readonly number[]): number {
  const rank = (c: number) => (c === 4 ? 5 : c === 3 ? 4 : c === 2 ? 3 : c === 1 ? 2 : c === 0 ? 0 : 1);
  return codes.reduce((worst, c) => (rank(c) > rank(worst) ? c : worst), 0);
}
