/**
 * What every command that injects faults wraps its run in: signal handling (Ctrl-C, SIGTERM,
 * `faultline stop` abort the run and revert) and the reaper (reverts if this process dies).
 */
import { abortOnSignals } from './abort-on-signals.js';
import { startReaper } from './reaper-launcher.js';

export async function guardedRun<T>(stateDir: string, runId: string, options: { reaper?: boolean }, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const reaper = options.reaper === false ? undefined : startReaper(stateDir, runId);
  const signals = abortOnSignals(stateDir, () => runId);
  try {
    return await run(signals.signal);
  } finally {
    reaper?.done();
    signals.dispose();
  }
}
