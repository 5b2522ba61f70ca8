/** Is a process still there — and is it still the one we recorded, not a reused pid? */
import { readFileSync } from 'node:fs';

/**
 * The kernel's start time of `pid` (clock ticks since boot, from /proc/PID/stat), which with the
 * pid identifies one process for good. Undefined where /proc is missing or the pid is gone.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The one-letter state from /proc/PID/stat (R, S, T, Z, …), or undefined if unknown. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** Alive, not a zombie, and (when `startTime` is given and /proc knows) the same process. */
export function isPidAlive(pid: number, startTime?: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (processState(pid) === 'Z') return false;
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
