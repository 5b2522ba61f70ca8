/**
 * Ending a run that will not end by itself (`faultline stop` past its grace, `recover --force`):
 * SIGKILL, then wait until the process is gone, so that its faults are reverted only once nothing
 * can act on them any more.
 */
import type { RegisteredRun } from './active-runs.js';
import { isPidAlive, waitForExit } from './pid.js';

/** Kills each run and waits up to `waitMs` for it to be gone; returns the runs still alive (uninterruptible). */
export async function killRuns(runs: readonly RegisteredRun[], log: (m: string) => void, waitMs = 10_000): Promise<RegisteredRun[]> {
  for (const run of runs) {
    if (!isPidAlive(run.pid, run.pidStartTime)) continue;
    try {
      process.kill(run.pid, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') log(`could not kill run ${run.runId} (pid ${run.pid}): ${(err as Error).message}`);
    }
  }
  const alive = new Set(await waitForExit(runs.map((r) => ({ pid: r.pid, startTime: r.pidStartTime })), waitMs));
  const unkillable = runs.filter((r) => alive.has(r.pid));
  for (const run of unkillable) log(`run ${run.runId} (pid ${run.pid}) is still alive ${waitMs / 1000} s after SIGKILL: its faults are left to it`);
  return unkillable;
}
