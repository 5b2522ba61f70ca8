/** `faultline schedule status`: is a scheduler running, and for each job its next run, what runs now, and how its last ticks ended. */
import { Cron } from 'croner';
import type { Job } from './job.js';
import type { ScheduleStore, TickRecord } from './state.js';

export interface JobStatus {
  name: string;
  cron: string;
  timezone?: string;
  experiments: string[];
  /** From the running scheduler, else what the expression gives from now. */
  nextRun: string | null;
  running?: { since: string; runIds: string[] };
  last?: TickRecord;
  /** The last run that ran (its verdict), which may be older than `last` (a skipped tick). */
  lastRun?: TickRecord;
  counts: Record<TickRecord['outcome'], number>;
}

export interface ScheduleStatus {
  file: string;
  stateDir: string;
  scheduler: { running: true; pid: number; since: string } | { running: false; stoppedAt?: string; lastAliveAt?: string };
  jobs: JobStatus[];
}

export async function scheduleStatus(jobs: Job[], store: ScheduleStore, file: string): Promise<ScheduleStatus> {
  const [holder, snapshot, ticks] = await Promise.all([store.lockHolder(), store.readSnapshot(), store.readTicks()]);
  const live = holder !== undefined;
  return {
    file,
    stateDir: store.dir,
    scheduler: live ? { running: true, pid: holder.pid, since: holder.since } : { running: false, ...(snapshot?.stoppedAt ? { stoppedAt: snapshot.stoppedAt } : {}), ...(snapshot ? { lastAliveAt: snapshot.aliveAt } : {}) },
    jobs: jobs.map((job) => {
      const mine = ticks.filter((t) => t.job === job.name);
      const snap = live ? snapshot?.jobs[job.name] : undefined;
      const counts = { ran: 0, skipped: 0, invalid: 0, missed: 0, interrupted: 0 };
      for (const t of mine) counts[t.outcome] += t.outcome === 'missed' ? (t.count ?? 1) : 1;
      const cron = new Cron(job.cron, { paused: true, ...(job.timezone ? { timezone: job.timezone } : {}) });
      const next = snap?.nextRun ?? cron.nextRun()?.toISOString() ?? null;
      cron.stop();
      const last = mine.at(-1);
      const lastRun = mine.filter((t) => t.outcome === 'ran').at(-1);
      return {
        name: job.name,
        cron: job.cron,
        ...(job.timezone ? { timezone: job.timezone } : {}),
        experiments: job.experiments,
        nextRun: next,
        ...(snap?.running ? { running: { since: snap.running.since, runIds: snap.running.runIds } } : {}),
        ...(last ? { last } : {}),
        ...(lastRun ? { lastRun } : {}),
        counts,
      };
    }),
  };
}

export function renderStatus(s: ScheduleStatus): string {
  const lines: string[] = [];
  lines.push(`schedule ${s.file}`);
  lines.push(
    s.scheduler.running
      ? `  scheduler: running (pid ${s.scheduler.pid}, since ${s.scheduler.since})`
      : `  scheduler: not running${s.scheduler.stoppedAt ? ` (stopped at ${s.scheduler.stoppedAt})` : s.scheduler.lastAliveAt ? ` (last seen alive at ${s.scheduler.lastAliveAt}: it did not stop cleanly)` : ' (never started with this state dir)'}`,
  );
  lines.push(`  state: ${s.stateDir}`);
  for (const j of s.jobs) {
    lines.push('');
    lines.push(`${j.name}  "${j.cron}"${j.timezone ? ` ${j.timezone}` : ''}  ${j.experiments.join(', ')}`);
    lines.push(`  next run:  ${j.nextRun ?? 'never'}${s.scheduler.running ? '' : ' (if a scheduler were running)'}`);
    if (j.running) lines.push(`  running:   ${j.running.runIds.join(', ')} since ${j.running.since}`);
    if (j.lastRun) lines.push(`  last run:  ${j.lastRun.at} ${describeRun(j.lastRun)}`);
    if (j.last && j.last !== j.lastRun) lines.push(`  last tick: ${j.last.at} ${j.last.outcome}${j.last.count !== undefined ? ` ×${j.last.count}` : ''}: ${j.last.reason ?? ''}`);
    if (!j.last) lines.push('  no tick yet');
    const c = j.counts;
    lines.push(`  ticks:     ${c.ran} ran, ${c.skipped} skipped, ${c.invalid} invalid, ${c.missed} missed, ${c.interrupted} interrupted`);
  }
  return `${lines.join('\n')}\n`;
}

function describeRun(t: TickRecord): string {
  const runs = (t.runs ?? []).map((r) => `${r.runId} ${r.status ?? 'did not run'}${r.exitCode !== undefined ? ` (exit ${r.exitCode})` : ''}`);
  return `${runs.join('; ')}${t.manual ? ' [--once]' : ''}${t.waitedFor ? ` [waited for ${t.waitedFor}]` : ''}`;
}
