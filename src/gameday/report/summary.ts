/** The day at a glance, shared by both formats: its outcome, the verdict counts, the recovery rows, the scores in order. */
import type { ServiceAnalysis } from '../../journal/types.js';
import type { GamedayRecord } from '../record.js';
import { VERDICT_TEXT } from './format.js';
import type { ItemVerdict, LoadedItem } from './types.js';

export function outcomeText(outcome: GamedayRecord['outcome']): string {
  return outcome === 'completed' ? 'COMPLETED' : outcome === 'aborted' ? 'ABORTED' : 'IN PROGRESS';
}

/** `4 planned: 2 held, 1 skipped, 1 failed to start` (verdicts in the order of VERDICT_TEXT). */
export function summaryLine(items: readonly LoadedItem[]): string {
  const counts = new Map<ItemVerdict, number>();
  for (const l of items) counts.set(l.verdict, (counts.get(l.verdict) ?? 0) + 1);
  const parts = (Object.keys(VERDICT_TEXT) as ItemVerdict[]).filter((v) => counts.has(v)).map((v) => `${counts.get(v)} ${VERDICT_TEXT[v].toLowerCase()}`);
  return `${items.length} planned${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/** One row per experiment × service, from each run's analysis (never recomputed). */
export function recoveryRows(items: readonly LoadedItem[]): { l: LoadedItem; s: ServiceAnalysis }[] {
  return items.flatMap((l) => (l.analysis?.services ?? []).map((s) => ({ l, s })));
}

/** The scores of the day's runs, in plan order (runs with a journal only). */
export function dayScores(items: readonly LoadedItem[]): { n: number; name: string; score: number | null; held: boolean }[] {
  return items.filter((l) => l.analysis).map((l) => ({ n: l.n, name: l.item.name, score: l.analysis!.score.total, held: l.journal!.status === 'held' }));
}
