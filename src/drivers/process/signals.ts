/** Sending signals safely, and the signal-name parameter shared by the process faults. */
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { isAlive, sameProcess } from '../../util/proc.js';

/** `SIGTERM`, `sigterm` and `TERM` all name SIGTERM. */
export function normalizeSignal(name: string): NodeJS.Signals | undefined {
  const upper = name.trim().toUpperCase();
  const full = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return Object.hasOwn(constants.signals, full) ? (full as NodeJS.Signals) : undefined;
}

/** A zod schema for a signal name, with a default. Output is the canonical name. */
export function signalParam(fallback: NodeJS.Signals) {
  return z
    .string()
    .transform((value, ctx) => {
      const signal = normalizeSignal(value);
      if (signal === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected a signal name such as SIGTERM or SIGKILL, got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      return signal;
    })
    .default(fallback);
}

/** Sends a signal to one process. False when it no longer exists. */
export function sendSignal(pid: number, signal: NodeJS.Signals): boolean {
  if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`refusing to signal pid ${pid}`);
  try {
    process.kill(pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** Sends a signal to every process in a group. False when the group is empty. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  // kill(-1) signals every process we may signal: only a real group leader's pid is acceptable.
  if (!Number.isInteger(pgid) || pgid <= 1) throw new RangeError(`refusing to signal process group ${pgid}`);
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH' || code === 'EPERM') return false;
    throw err;
  }
}

/**
 * Waits until the process is gone (exited, zombie, or its pid now names another process). Polls,
 * because a process we did not spawn cannot be waited on. True if it went within `timeoutMs`.
 */
export async function waitForExit(pid: number, startTicks: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (!isAlive(pid) || !sameProcess(pid, startTicks)) return true;
    if (performance.now() >= deadline) return false;
    await sleep(25, undefined, { signal });
  }
}
