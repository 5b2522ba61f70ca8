/**
 * The score trend of one game day run: its experiment's runs in the history up to and including
 * this one. Keys and scores are the history's own (src/history), so the trend agrees with
 * `faultline history` (oldest first, the last TREND_LIMIT runs); a run missing from the history (not recorded, history unreadable) still
 * shows its own score from its journal.
 */
import { dirname } from 'node:path';
import { experimentKey, type HistoryEntry } from '../../history/entry.js';
import type { Analysis, Journal } from '../../journal/types.js';
import type { ScorePoint, ScoreTrend } from './types.js';

/** Points per experiment, as `faultline history` shows by default. */
export const TREND_LIMIT = 20;

export function scoreTrend(journal: Journal, analysis: Analysis, entries: readonly HistoryEntry[], stateDir: string): ScoreTrend {
  const own = entries.find((e) => e.runId === journal.runId);
  // The runner's own key when recorded; else the key recordRun() would have given it.
  const key = own?.key ?? experimentKey(journal.experimentFile, dirname(stateDir), journal.title);
  const earlier = entries.filter((e) => e.key === key && e.runId !== journal.runId && e.startedAt <= journal.startedAt);
  const self: ScorePoint = own ? point(own) : { runId: journal.runId, startedAt: journal.startedAt, score: analysis.score.total, status: journal.status };
  const points = [...earlier.map(point), self].sort((a, b) => a.startedAt.localeCompare(b.startedAt) || Number(a === self) - Number(b === self)).slice(-TREND_LIMIT);
  const before = points.slice(0, -1);
  const scored = before.map((p) => p.score).filter((s): s is number => s !== null);
  return {
    key,
    points,
    values: points.map((p) => p.score),
    current: self.score,
    previous: before.at(-1),
    earlierMean: scored.length ? scored.reduce((s, v) => s + v, 0) / scored.length : null,
    inHistory: own !== undefined,
  };
}

function point(e: HistoryEntry): ScorePoint {
  return { runId: e.runId, startedAt: e.startedAt, score: e.score, status: e.status };
}
