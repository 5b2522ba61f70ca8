/**
 * What every command that injects faults wraps its run in: signal handling (Ctrl-C, SIGTERM,
 * `faultline stop` abort the run and revert), the reaper (reverts if this process dies; a run
 * that loses its reaper aborts itself), the per-user index of state directories, and the
 * ledger's compaction once the run is over.
 */
import { abortOnSignals } from './abort-on-signals.js';
import { warnAboutLedger } from './ledger-warnings.js';
import { startReaper } from './reaper-launcher.js';
import { compactLedger } from '../safety/ledger.js';
import { DEADLINE_GRACE_MS } from '../safety/reaper.js';
import { indexStateDir, unindexStateDirIfClean } from '../safety/state-dir-index.js';

export interface GuardOptions {
  /** false: no reaper (`--no-reaper`). */
  reaper?: boolean;
  /** The run's maximum duration: the reaper kills a run still alive this long plus a grace after the start. */
  maxDurationMs?: number;
  /** false: the caller handles Ctrl-C and SIGTERM itself (the demo, across its runs). */
  signals?: boolean;
}

export interface RunGuard {
  /** Aborted by Ctrl-C, SIGTERM, `faultline stop`, or the loss of the reaper. */
  signal: AbortSignal;
  /** The run is over: release the reaper, the signal handlers; compact the ledger. */
  done(): Promise<void>;
}

/** Sets up the guard; rejects (E_REAPER) if the reaper does not come up, before anything was done. */
export async function startRunGuard(stateDir: string, runId: string, options: GuardOptions): Promise<RunGuard> {
  const warn = (m: string) => process.stderr.write(`faultline: warning: ${m}\n`);
  await warnAboutLedger(stateDir);
  await indexStateDir(stateDir).catch((err: unknown) => warn(`could not update the index of state directories: ${(err as Error).message}`));
  const lost = new AbortController();
  const reaper =
    options.reaper === false
      ? undefined
      : await startReaper(stateDir, runId, {
          ...(options.maxDurationMs !== undefined ? { deadline: Date.now() + options.maxDurationMs + deadlineGrace() } : {}),
          onLost: (reason) => lost.abort(new Error(reason)),
        });
  const signals = options.signals === false ? undefined : abortOnSignals(stateDir, () => runId);
  return {
    signal: signals ? AbortSignal.any([signals.signal, lost.signal]) : lost.signal,
    async done() {
      reaper?.done();
      signals?.dispose();
      await compactLedger(stateDir).catch((err: unknown) => warn((err as Error).message));
      await unindexStateDirIfClean(stateDir).catch(() => undefined);
    },
  };
}

export async function guardedRun<T>(stateDir: string, runId: string, options: GuardOptions, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const guard = await startRunGuard(stateDir, runId, options);
  try {
    return await run(guard.signal);
  } finally {
    await guard.done();
  }
}

/** $FAULTLINE_REAPER_GRACE_MS shortens the grace (tests); the default is generous on purpose. */
function deadlineGrace(): number {
  const ms = Number(process.env.FAULTLINE_REAPER_GRACE_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : DEADLINE_GRACE_MS;
}
