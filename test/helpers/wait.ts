/**
 * Waiting for an event instead of sleeping a fixed time: a fixed sleep is either too short on a
 * busy machine (flaky) or too long on an idle one (slow). The timeout is only the give-up point,
 * so it is generous; the failure says what was awaited and what was last seen.
 */

export interface WaitOptions {
  /** What is awaited, for the failure message ("the process to be stopped"). */
  what?: string;
  /** Give up after this long (ms). Generous: a busy 2-core machine is the norm in CI. */
  timeoutMs?: number;
  /** Time between checks (ms). */
  intervalMs?: number;
}

/** Check `check` until it returns a truthy value (which is returned) or the time is up. */
export async function waitFor<T>(check: () => T | Promise<T>, { what = 'a condition', timeoutMs = 10_000, intervalMs = 50 }: WaitOptions = {}): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = `last check returned ${String(value)}`;
    } catch (err) {
      last = `last check threw ${(err as Error).message}`;
    }
    if (performance.now() >= deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what} (${last})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Wait until a growing string (a child's output so far) matches `pattern`; returns the match. */
export function waitForOutput(output: () => string, pattern: RegExp, options: Omit<WaitOptions, 'what'> & { what?: string } = {}): Promise<RegExpMatchArray> {
  return waitFor(() => output().match(pattern), { what: options.what ?? `output matching ${pattern}`, ...options });
}

/**
 * The give-up point for something a freshly started process must get to (node, tsx or the CLI
 * starting, a server listening, a first fault injected): slow on a busy machine, and never what a
 * test measures.
 */
export const STARTUP_MS = 60_000;
