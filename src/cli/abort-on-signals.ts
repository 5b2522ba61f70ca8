/**
 * Ctrl-C, SIGTERM (a cancelled CI job, or `faultline stop`) and SIGHUP abort the run: its faults
 * are reverted and its report written. A second Ctrl-C says it is still reverting; only kill -9
 * stops it sooner, and then `faultline recover` (or the ledger) undoes what was left.
 */
import { readStopRequest } from '../safety/active-runs.js';

export function abortOnSignals(stateDir: string, runIdOf: () => string | undefined): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`faultline: still reverting faults after ${name}; they will be undone before exit\n`);
      return;
    }
    void (async () => {
      let reason = name === 'SIGINT' ? 'interrupted (Ctrl-C)' : `received ${name}`;
      const runId = runIdOf();
      if (name === 'SIGTERM' && runId) {
        const stop = await readStopRequest(stateDir, runId).catch(() => undefined);
        if (stop) reason = `emergency stop by ${stop.by}: ${stop.reason}`;
      }
      controller.abort(new Error(reason));
    })();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  return {
    signal: controller.signal,
    dispose: () => signals.forEach((s) => process.off(s, onSignal)),
  };
}
