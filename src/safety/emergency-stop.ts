/**
 * `faultline stop`: ask every active run to stop, give them a grace period to revert their own
 * faults and exit, SIGKILL those still alive after it, then revert what is still open — faults
 * of runs that died earlier, hung, or ignored the request — straight from the ledger. A run that
 * started during the grace period is alive, so the recovery (which only touches runs whose
 * process is gone) leaves it alone.
 */
import type { FaultKind } from '../faults/types.js';
import { isUsageError } from '../errors/index.js';
import { listActiveRuns, requestStop, unregisterRun } from './active-runs.js';
import type { RegisteredRun } from './active-runs.js';
import { killRuns } from './kill-runs.js';
import { waitForExit } from './pid.js';
import { recoverOpenFaults } from './recover.js';
import type { RecoverResult } from './recover.js';

export interface EmergencyStopOptions {
  stateDir: string;
  kinds: Readonly<Record<string, FaultKind>>;
  log(message: string): void;
  /** How long runs get to exit after SIGTERM before they are killed and their faults reverted. */
  graceMs?: number;
  /** Recorded in each run's stop request. */
  by?: string;
  reason?: string;
  signal?: AbortSignal;
}

export interface EmergencyStopResult extends RecoverResult {
  /** Runs that were signalled and exited within the grace period. */
  stopped: RegisteredRun[];
  /** Runs still alive after the grace period: killed (SIGKILL), then their faults were reverted. */
  didNotExit: RegisteredRun[];
  /** Runs that not even SIGKILL ended (uninterruptible): their faults are left to them. */
  unkillable: RegisteredRun[];
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
  for (const run of didNotExit) log(`run ${run.runId} (pid ${run.pid}) did not exit within ${graceMs} ms: killing it (SIGKILL) before reverting its faults`);
  const unkillable = await killRuns(didNotExit, log);

  const recovered = await recoverOpenFaults({ stateDir, kinds, by: 'stop', log, signal, reason: `emergency stop by ${request.by}: ${request.reason}` });

  // Forget dead runs once nothing of theirs is left open, so the next stop does not list them again.
  const leftOpen = new Set([...recovered.failed.map((f) => f.fault), ...recovered.unknownKind, ...recovered.skipped, ...recovered.live].map((f) => f.runId));
  const gone = new Set(unkillable.map((r) => r.runId));
  for (const run of [...stale, ...stopped, ...didNotExit]) {
    if (!leftOpen.has(run.runId) && !gone.has(run.runId)) await unregisterRun(stateDir, run.runId);
  }
  return { ...recovered, stopped, didNotExit, unkillable, stale };
}
