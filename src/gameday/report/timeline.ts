/**
 * The day as one timeline: the facilitator's notes and commands, and each experiment's start and
 * end, in the order they happened. A note says which experiment it was typed during when the
 * console recorded it; otherwise (and for commands) it is the one whose run covers that time.
 */
import { VERDICT_TEXT } from './format.js';
import type { LoadedItem, TimelineEntry } from './types.js';
import type { GamedayRecord } from '../record.js';

export function buildTimeline(record: GamedayRecord, items: readonly LoadedItem[]): TimelineEntry[] {
  const start = Date.parse(record.startedAt);
  const since = (at: string) => {
    const t = Date.parse(at);
    return Number.isNaN(t) || Number.isNaN(start) ? null : t - start;
  };
  const runningAt = (at: string): string | undefined => {
    const t = Date.parse(at);
    if (Number.isNaN(t)) return undefined;
    // The latest started item whose run covers t (an item without an end is still running).
    const covering = items.filter((l) => l.item.startedAt !== undefined && Date.parse(l.item.startedAt) <= t && (l.item.endedAt === undefined || t <= Date.parse(l.item.endedAt)));
    return covering.at(-1)?.item.name;
  };
  const entries: TimelineEntry[] = [];
  for (const note of record.notes) {
    const during = note.during ?? runningAt(note.at);
    entries.push({ at: note.at, sinceStartMs: since(note.at), kind: 'note', what: 'note', text: note.text, ...(note.by ? { by: note.by } : {}), ...(during ? { during } : {}) });
  }
  for (const event of record.events) {
    const during = runningAt(event.at);
    entries.push({ at: event.at, sinceStartMs: since(event.at), kind: 'event', what: event.what, text: event.detail ?? '', ...(event.from ? { from: event.from } : {}), ...(during ? { during } : {}) });
  }
  for (const l of items) {
    const { startedAt, endedAt, name } = l.item;
    if (startedAt) entries.push({ at: startedAt, sinceStartMs: since(startedAt), kind: 'experiment', what: 'started', text: l.item.runId ? `run ${l.item.runId}` : '', during: name });
    if (endedAt) entries.push({ at: endedAt, sinceStartMs: since(endedAt), kind: 'experiment', what: 'ended', text: VERDICT_TEXT[l.verdict], during: name });
  }
  // Stable: at equal times, notes come before events and experiments (the order pushed above).
  const key = (e: TimelineEntry) => e.sinceStartMs ?? Number.POSITIVE_INFINITY;
  return entries.map((e, i) => ({ e, i })).sort((a, b) => key(a.e) - key(b.e) || a.i - b.i).map(({ e }) => e);
}
