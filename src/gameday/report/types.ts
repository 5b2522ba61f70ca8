/**
 * What the combined game day report shows, gathered once by loadGameday() (load.ts) from the
 * record, the runs' journals and the history; the Markdown and HTML renderers only format it.
 * Every figure of a run comes from its journal's analysis (analysisOf): nothing is recomputed here.
 */
import type { Analysis, Journal, RunStatus } from '../../journal/types.js';
import type { GamedayItem, GamedayRecord } from '../record.js';

/**
 * What became of a planned experiment, as the report names it. A run's own status when it ran to
 * its end; `skipped` also when the facilitator aborted it mid-run (its journal then says aborted).
 */
export type ItemVerdict =
  | RunStatus
  | 'skipped'
  | 'not-reached'
  | 'failed-to-start'
  /** Still running: the report was rendered while the day went on. */
  | 'running'
  /** Marked running in a record whose day has ended: faultline stopped while it ran. */
  | 'interrupted'
  /** It ran, but its journal is missing or unreadable (`journalError` says which). */
  | 'no-journal';

export interface ScorePoint {
  runId: string;
  startedAt: string;
  score: number | null;
  status: RunStatus;
}

/** One experiment's score in this run against its earlier runs in the history (same history key). */
export interface ScoreTrend {
  key: string;
  /** Oldest first; the last point is this run. At most TREND_LIMIT points. */
  points: ScorePoint[];
  /** The points' scores, oldest first (for sparkline() of src/history/trends.ts). */
  values: (number | null)[];
  current: number | null;
  /** The run just before this one (undefined: this is the first run of the experiment). */
  previous: ScorePoint | undefined;
  /** Mean score of the earlier runs shown (null: none had a score). */
  earlierMean: number | null;
  /** This run was found in the history (else its point comes from its journal alone). */
  inHistory: boolean;
}

export interface LoadedItem {
  /** 1-based position in the plan. */
  n: number;
  item: GamedayItem;
  verdict: ItemVerdict;
  journal?: Journal;
  analysis?: Analysis;
  /** Why the journal could not be read (missing file, not JSON, not a journal), naming the file. */
  journalError?: string;
  /** The run's report dir (the item's, else the journal's directory) and which reports exist in it. */
  reportDir?: string;
  reports: { html: boolean; md: boolean };
  durationMs: number | null;
  trend?: ScoreTrend;
}

export interface TimelineEntry {
  at: string;
  /** ms since the day started (null: a time that does not parse). */
  sinceStartMs: number | null;
  kind: 'note' | 'event' | 'experiment';
  /** A note: `note`; an event: its `what`; an experiment: `started` or `ended`. */
  what: string;
  text: string;
  by?: string;
  from?: string;
  /** The experiment running (or next up, as the console saw it) at that time. */
  during?: string;
}

export interface GamedayReport {
  record: GamedayRecord;
  items: LoadedItem[];
  timeline: TimelineEntry[];
  /** Why the history could not be read (the trend then shows only this day's runs). */
  historyError?: string;
  /** Lines of the history that were not entries (torn writes, other versions). */
  historySkipped: number;
}
