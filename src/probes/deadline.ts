/**
 * One signal per probe call that fires on the probe's own timeout or on the caller's abort,
 * and remembers which, so results can say 'timeout after 500ms' or 'aborted'.
 */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Why the signal fired, or undefined while it has not. */
  readonly reason: string | undefined;
  /** Stop the timer and detach from the caller's signal. Call once the probe is settled. */
  clear(): void;
}

export function startDeadline(timeoutMs: number, outer?: AbortSignal): Deadline {
  const controller = new AbortController();
  let reason: string | undefined;
  const fire = (why: string): void => {
    if (reason !== undefined) return;
    reason = why;
    controller.abort(new Error(why));
  };
  const onOuterAbort = (): void => fire('aborted');
  const timer = setTimeout(() => fire(`timeout after ${Math.round(timeoutMs)}ms`), timeoutMs);
  if (outer?.aborted) fire('aborted');
  else outer?.addEventListener('abort', onOuterAbort, { once: true });
  return {
    signal: controller.signal,
    get reason() {
      return reason;
    },
    clear() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    },
  };
}
