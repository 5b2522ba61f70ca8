/** Is a process still there — and is it still the one we recorded, not a reused pid? */
import { isAlive, processState, readStartTicks } from '../util/proc.js';

export { processState };

/**
 * The kernel's start time of `pid` (clock ticks since boot, as a string for the run registry),
 * which with the pid identifies one process for good. Undefined where /proc is missing or the pid is gone.
 */
export function processStartTime(pid: number): string | undefined {
  const ticks = readStartTicks(pid);
  return ticks === undefined ? undefined : String(ticks);
}

/** Alive, not a zombie, and (when `startTime` is given and /proc knows) the same process. */
export function isPidAlive(pid: number, startTime?: string): boolean {
  if (!isAlive(pid)) return false;
  if (startTime === undefined) return true;
  const current = processStartTime(pid);
  return current === undefined || current === startTime;
}

/** Polls until none of `pids` is alive or `timeoutMs` passes; returns those still alive. */
export async function waitForExit(
  pids: readonly { pid: number; startTime?: string }[],
  timeoutMs: number,
  { intervalMs = 100, signal }: { intervalMs?: number; signal?: AbortSignal } = {},
): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = pids.filter((p) => isPidAlive(p.pid, p.startTime)).map((p) => p.pid);
    if (alive.length === 0 || Date.now() >= deadline || signal?.aborted) return alive;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, deadline - Date.now())));
  }
}
