/** Words and times shared by the game day report's Markdown and HTML (formatting only, no figures). */
import { relative, sep } from 'node:path';
import { formatDuration } from '../../util/duration.js';
import type { ItemVerdict, LoadedItem } from './types.js';

export const VERDICT_TEXT: Record<ItemVerdict, string> = {
  held: 'HELD',
  deviated: 'DEVIATED',
  aborted: 'ABORTED',
  'revert-failed': 'REVERT FAILED',
  skipped: 'SKIPPED',
  'not-reached': 'NOT REACHED',
  'failed-to-start': 'FAILED TO START',
  running: 'RUNNING',
  interrupted: 'INTERRUPTED',
  'no-journal': 'NO JOURNAL',
};

/** The words after the verdict: why it failed to start, how a skip ended, what is wrong with the journal. */
export function verdictDetail(l: LoadedItem): string {
  const parts: string[] = [];
  if (l.verdict === 'skipped' && l.journal) parts.push(`stopped mid-run (the run: ${VERDICT_TEXT[l.journal.status]})`);
  if (l.verdict === 'interrupted') parts.push('the day ended while it ran (faultline stopped): run `faultline recover` if a fault may remain');
  if (l.item.error) parts.push(l.item.error);
  if (l.journalError) parts.push(l.journalError);
  // The exit code may differ from the journal's: the regression gate turns a held run into exit 1.
  if (l.journal && l.item.exitCode !== undefined && l.item.exitCode !== l.journal.exitCode) parts.push(`exit ${l.item.exitCode} (the run itself: exit ${l.journal.exitCode})`);
  if (l.journal?.reasons.length && l.verdict !== 'held') parts.push(...l.journal.reasons);
  return parts.join('; ');
}

/** `13:05:40` (UTC), with the date when the day spans more than one. */
export function clock(iso: string, withDate: boolean): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = new Date(t).toISOString();
  return withDate ? `${s.slice(0, 10)} ${s.slice(11, 19)}` : s.slice(11, 19);
}

/** A wall-clock time as people read it in the header: `2026-12-05 13:05:40 UTC`. */
export function dateTime(iso: string | undefined): string {
  return iso === undefined ? '—' : `${clock(iso, true)} UTC`;
}

/** `+1:02:03` or `+12:03` since the day started. */
export function sinceStart(ms: number | null): string {
  if (ms === null) return '';
  const sign = ms < 0 ? '-' : '+';
  // Truncated, as clock() truncates: a note at 13:06:37.9 reads +0:07 after a start at 13:06:30.0.
  const total = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h ? `${sign}${h}:${two(m)}:${two(s)}` : `${sign}${m}:${two(s)}`;
}

export function duration(ms: number | null): string {
  return ms === null ? '—' : formatDuration(ms);
}

/** Does the day span more than one UTC date? Then times carry their date. */
export function spansDays(startedAt: string, endedAt: string | undefined, times: string[]): boolean {
  const days = new Set([startedAt, ...(endedAt ? [endedAt] : []), ...times].map((t) => clock(t, true).slice(0, 10)));
  return days.size > 1;
}

/** A link from the report's directory to a file, URL-encoded per segment (relative: the day's files can move together). */
export function linkFrom(outDir: string, target: string): string {
  const rel = relative(outDir, target) || '.';
  return rel.split(sep).map(encodeURIComponent).join('/');
}
