/** After a run: compare it with the previous run of the same experiment, then append it (with the gate's verdict) to the history. */
import { dirname } from 'node:path';
import type { Journal } from '../journal/types.js';
import { historyEntryFor, type HistoryEntry, type RunIdentity } from './entry.js';
import { findRegressions, type Regression } from './regression.js';
import { appendHistory, previousRun, readHistory } from './store.js';

export interface RecordedRun {
  entry: HistoryEntry;
  previous: HistoryEntry | undefined;
  regressions: Regression[];
  /** The exit code after the gate: the journal's, or 1 when --fail-on-regression fails a run that held. */
  exitCode: number;
  path: string;
}

export interface RecordOptions {
  reportDir?: string;
  tolerance?: number;
  /** --fail-on-regression: a regression turns exit 0 into 1 (worse exit codes stay). */
  failOnRegression?: boolean;
  identity?: RunIdentity;
}

/** The project directory is the state dir's parent (`./.faultline` → `.`), so keys survive a fresh clone. */
export async function recordRun(stateDir: string, journal: Journal, options: RecordOptions = {}): Promise<RecordedRun> {
  const entry = historyEntryFor(journal, {
    projectDir: dirname(stateDir),
    ...(options.reportDir ? { reportDir: options.reportDir } : {}),
    ...(options.identity ? { identity: options.identity } : {}),
  });
  const { entries } = await readHistory(stateDir);
  // A random choice is one experiment, but its runs compare only with runs that hit the same target.
  const previous = previousRun(entries, entry.key, undefined, entry.target);
  const regressions = previous ? findRegressions(previous, entry, options.tolerance) : [];
  const enforced = options.failOnRegression === true;
  const exitCode = enforced && regressions.length > 0 && journal.exitCode === 0 ? 1 : journal.exitCode;
  entry.exitCode = exitCode;
  entry.gate = { enforced, ...(previous ? { previousRunId: previous.runId } : {}), regressions: regressions.map((r) => r.message), exitCode };
  const path = await appendHistory(stateDir, entry);
  return { entry, previous, regressions, exitCode, path };
}
