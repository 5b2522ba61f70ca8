/** Trends per experiment over the history: time to recover, score, success rate, time between failures. */
import type { HistoryEntry } from './entry.js';

export interface SeriesStats {
  last: number | null;
  mean: number | null;
  min: number | null;
  max: number | null;
  /** Oldest first, one value per run (null where the run had none). */
  values: (number | null)[];
}

export interface ExperimentTrend {
  key: string;
  title: string;
  runs: number;
  held: number;
  /** held ÷ runs (0..1). */
  successRate: number;
  timeToRecoverMs: SeriesStats;
  score: SeriesStats;
  /** Runs that did not hold. */
  failures: number;
  /** Mean wall-clock time between the starts of consecutive failed runs; null with fewer than 2. */
  meanTimeBetweenFailuresMs: number | null;
  lastFailureAt: string | null;
  last: { runId: string; status: HistoryEntry['status']; startedAt: string; reportDir?: string };
}

export function trends(entries: readonly HistoryEntry[], options: { limit?: number } = {}): ExperimentTrend[] {
  const byKey = new Map<string, HistoryEntry[]>();
  for (const e of entries) {
    let list = byKey.get(e.key);
    if (!list) byKey.set(e.key, (list = []));
    list.push(e);
  }
  return [...byKey.entries()].map(([key, all]) => {
    const runs = [...all].sort((a, b) => a.startedAt.localeCompare(b.startedAt)).slice(-(options.limit ?? Infinity));
    const last = runs.at(-1)!;
    const held = runs.filter((r) => r.status === 'held').length;
    const failedRuns = runs.filter((r) => r.status !== 'held');
    const failureTimes = failedRuns.map((r) => Date.parse(r.startedAt));
    const gaps = failureTimes.slice(1).map((t, i) => t - failureTimes[i]!);
    return {
      key,
      title: last.title,
      runs: runs.length,
      held,
      successRate: held / runs.length,
      timeToRecoverMs: stats(runs.map((r) => r.timeToRecoverMs)),
      score: stats(runs.map((r) => r.score)),
      failures: failedRuns.length,
      meanTimeBetweenFailuresMs: gaps.length ? gaps.reduce((s, g) => s + g, 0) / gaps.length : null,
      lastFailureAt: failedRuns.at(-1)?.startedAt ?? null,
      last: { runId: last.runId, status: last.status, startedAt: last.startedAt, ...(last.reportDir ? { reportDir: last.reportDir } : {}) },
    };
  });
}

function stats(values: (number | null)[]): SeriesStats {
  const present = values.filter((v): v is number => v !== null);
  return {
    last: values.at(-1) ?? null,
    mean: present.length ? present.reduce((s, v) => s + v, 0) / present.length : null,
    min: present.length ? Math.min(...present) : null,
    max: present.length ? Math.max(...present) : null,
    values,
  };
}

/** ▁▂▃▄▅▆▇█ for the values (a gap for null). */
export function sparkline(values: readonly (number | null)[]): string {
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) return '';
  const min = Math.min(...present);
  const span = Math.max(...present) - min;
  const bars = '▁▂▃▄▅▆▇█';
  return values.map((v) => (v === null ? ' ' : bars[span === 0 ? 3 : Math.round(((v - min) / span) * 7)])).join('');
}
