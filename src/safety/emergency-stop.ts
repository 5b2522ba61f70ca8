/**
 * `faultline stop`: ask every active run to stop, give them a grace period to revert their own
 * faults and exit, then revert whatever is still open — faults of runs that died earlier, hung,
 * or ignored the request — straight from the ledger.
 */
import type { FaultKind } from '../faults/types.js';
import { isUsageError } from '../errors/index.js';
import { listActiveRuns, requestStop, unregisterRun } from './active-runs.js';
import type { RegisteredRun } from './active-runs.js';
import { waitForExit } from './pid.js';
import { recoverOpenFaults } from './recover.js';
import type { RecoverResult } from './recover.js';

export interface EmergencyStopOptions {
  stateDir: string;
  kinds: Readonly<Record<string, FaultKind>>;
  log(message: string): void;
  /** How long runs get to exit after SIGTERM before their faults are reverted under them. */
  graceMs?: number;
  /** Recorded in each run's stop request. */
  by?: string;
  reason?: string;
  signal?: AbortSignal;
}

export interface EmergencyStopResult extends RecoverResult {
  /** Runs that were signalled and exited within the grace period. */
  stopped: RegisteredRun[];
  /** Runs still alive after the grace period: their open faults were reverted anyway. */
  didNotExit: RegisteredRun[];
  /** Runs that were already dead (crashed) before the stop. */
  stale: RegisteredRun[];
}

export async function emergencyStop(options: EmergencyStopOptions): Promise<EmergencyStopResult> {
  const { stateDir, kinds, log, graceMs = 10_000, signal } = options;
  const request = { by: options.by ?? 'faultline stop', reason: options.reason ?? 'emergency stop' };
  const { active, stale } = await listActiveRuns(stateDir);

  const signalled: RegisteredRun[] = [];
  for (const run of active) {
    try {
      if ((await requestStop(stateDir, run.runId, request)).signalled) signalled.push(run);
      log(`asked run ${run.runId} (pid ${run.pid}, "${run.title}") to stop`);
    } catch (err) {
      if (!isUsageError(err)) throw err; // it unregistered in between: it ended by itself
    }
  }

  const stillAlive = new Set(
    await waitForExit(
      signalled.map((r) => ({ pid: r.pid, startTime: r.pidStartTime })),
      graceMs,
      { signal },
    ),
  );
  const stopped = signalled.filter((r) => !stillAlive.has(r.pid));
  const didNotExit = signalled.filter((r) => stillAlive.has(r.pid));
  for (const run of didNotExit) log(`run ${run.runId} (pid ${run.pid}) did not exit within ${graceMs} ms; reverting its faults anyway`);

  const recovered = await recoverOpenFaults({ stateDir, kinds, by: 'stop', log, signal });

  // Forget dead runs once nothing of theirs is left open, so the next stop does not list them again.
  const leftOpen = new Set([...recovered.failed.map((f) => f.fault), ...recovered.unknownKind, ...recovered.skipped].map((f) => f.runId));
  for (const run of [...stale, ...stopped]) {
    if (!leftOpen.has(run.runId)) await unregisterRun(stateDir, run.runId);
  }
  return { ...recovered, stopped, didNotExit, stale };
}
