/**
 * loadGameday(): everything the combined report shows, read once — each run's journal (checked
 * against the journal schema; a missing or damaged one becomes a line of the report, never a
 * crash), its analysis (the stored one, as every report uses it), the history of the same
 * experiments for the score trend, and the day's timeline.
 */
import { access, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { analysisOf } from '../../analysis/analyze-journal.js';
import type { HistoryEntry } from '../../history/entry.js';
import { readHistory } from '../../history/store.js';
import type { Analysis, Journal } from '../../journal/types.js';
import { journalSchema } from '../../reporters/journal-schema.js';
import type { GamedayItem, GamedayRecord } from '../record.js';
import { buildTimeline } from './timeline.js';
import { scoreTrend } from './trend.js';
import type { GamedayReport, ItemVerdict, LoadedItem } from './types.js';

export async function loadGameday(record: GamedayRecord): Promise<GamedayReport> {
  let entries: HistoryEntry[] = [];
  let historySkipped = 0;
  let historyError: string | undefined;
  try {
    ({ entries, skipped: historySkipped } = await readHistory(record.stateDir));
  } catch (err) {
    historyError = `the history in ${record.stateDir} could not be read: ${(err as Error).message}`;
  }
  const items = await Promise.all(record.items.map((item, i) => loadItem(record, item, i + 1, entries)));
  return { record, items, timeline: buildTimeline(record, items), historySkipped, ...(historyError ? { historyError } : {}) };
}

async function loadItem(record: GamedayRecord, item: GamedayItem, n: number, entries: readonly HistoryEntry[]): Promise<LoadedItem> {
  const read = item.journalPath ? await readJournalFile(item.journalPath) : undefined;
  let journal = read && 'journal' in read ? read.journal : undefined;
  let journalError = read && 'error' in read ? read.error : item.state === 'ran' && !item.journalPath ? 'the record names no journal for this run' : undefined;
  let analysis: Analysis | undefined;
  try {
    analysis = journal ? analysisOf(journal) : undefined;
  } catch (err) {
    // A journal the schema accepts but analysis cannot read: one line of the report, not a crash.
    journalError = `journal unreadable: ${item.journalPath}: its analysis failed (${(err as Error).message})`;
    journal = undefined;
  }
  const reportDir = item.reportDir ?? (item.journalPath ? dirname(item.journalPath) : undefined);
  const [html, md] = reportDir ? await Promise.all([exists(join(reportDir, 'report.html')), exists(join(reportDir, 'report.md'))]) : [false, false];
  const wall = item.startedAt && item.endedAt ? Date.parse(item.endedAt) - Date.parse(item.startedAt) : NaN;
  return {
    n,
    item,
    verdict: verdictOf(record, item, journal),
    ...(journal && analysis ? { journal, analysis, trend: scoreTrend(journal, analysis, entries, record.stateDir) } : {}),
    ...(journalError ? { journalError } : {}),
    ...(reportDir ? { reportDir } : {}),
    reports: { html, md },
    durationMs: journal ? journal.durationMs : Number.isNaN(wall) ? null : wall,
  };
}

function verdictOf(record: GamedayRecord, item: GamedayItem, journal: Journal | undefined): ItemVerdict {
  switch (item.state) {
    case 'ran':
      return journal ? journal.status : 'no-journal';
    case 'skipped':
      return 'skipped';
    case 'failed-to-start':
      return 'failed-to-start';
    case 'pending':
      return 'not-reached';
    case 'running':
      return record.outcome === 'running' ? 'running' : 'interrupted';
  }
}

/** The journal, or why it cannot be shown (naming the file and what was expected). */
export async function readJournalFile(path: string): Promise<{ journal: Journal } | { error: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' ? `journal missing: ${path} does not exist` : `journal unreadable: ${path}: ${(err as Error).message}` };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { error: `journal unreadable: ${path} is not JSON (${(err as Error).message})` };
  }
  const parsed = journalSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.map(String).join('.') || '(top level)';
    return { error: `journal unreadable: ${path} at ${at}: ${issue.message} (not a faultline journal, or a damaged one)` };
  }
  return { journal: data as Journal };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
