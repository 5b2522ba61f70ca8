/** After a run: append it to the history and compare it with the previous run of the same experiment. */
import { dirname } from 'node:path';
import type { Journal } from '../journal/types.js';
import { historyEntryFor, type HistoryEntry } from './entry.js';
import { findRegressions, type Regression } from './regression.js';
import { appendHistory, previousRun, readHistory } from './store.js';

export interface RecordedRun {
  entry: HistoryEntry;
  previous: HistoryEntry | undefined;
  regressions: Regression[];
  path: string;
}

/** The project directory is the state dir's parent (`./.faultline` → `.`), so keys survive a fresh clone. */
export async function recordRun(stateDir: string, journal: Journal, options: { reportDir?: string; tolerance?: number } = {}): Promise<RecordedRun> {
  const entry = historyEntryFor(journal, { projectDir: dirname(stateDir), ...(options.reportDir ? { reportDir: options.reportDir } : {}) });
  const { entries } = await readHistory(stateDir);
  const previous = previousRun(entries, entry.key);
  const path = await appendHistory(stateDir, entry);
  return { entry, previous, regressions: previous ? findRegressions(previous, entry, options.tolerance) : [], path };
}
