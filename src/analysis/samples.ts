/** Small readers over the journal's time series, shared by the analysis steps. */
import type { Journal, Sample } from '../journal/types.js';

export const SERVICE_PREFIX = 'service:';
export const PROBE_PREFIX = 'probe:';

/** Samples grouped by series, each in time order. */
export function bySeries(samples: readonly Sample[]): Map<string, Sample[]> {
  const map = new Map<string, Sample[]>();
  for (const s of samples) {
    let list = map.get(s.series);
    if (!list) map.set(s.series, (list = []));
    list.push(s);
  }
  for (const list of map.values()) list.sort((a, b) => a.t - b.t);
  return map;
}

/** Watched services: those with health samples or a recovery record, in the system file's order (graph, else recovery records), then by name. */
export function watchedServices(journal: Journal): string[] {
  const names = new Set<string>(journal.recovery.map((r) => r.service));
  for (const s of journal.timeSeries) if (s.series.startsWith(SERVICE_PREFIX)) names.add(s.series.slice(SERVICE_PREFIX.length));
  const graphOrder = Object.keys(journal.system?.services ?? {});
  const order = graphOrder.length > 0 ? graphOrder : journal.recovery.map((r) => r.service);
  const rank = (n: string) => (order.includes(n) ? order.indexOf(n) : order.length);
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Faults that were applied (an injection that failed changed nothing). */
export function appliedFaults(journal: Journal): Journal['faults'] {
  return journal.faults.filter((f) => f.status !== 'inject-failed');
}

/** End of observation: the last sample, phase or fault end on the run's clock. */
export function observationEnd(journal: Journal): number {
  let end = 0;
  for (const s of journal.timeSeries) end = Math.max(end, s.t);
  for (const p of journal.phases) end = Math.max(end, p.endT);
  for (const f of journal.faults) end = Math.max(end, f.revertedT ?? f.injectedT);
  return end;
}

/** A short word for how a failed probe failed, from its observed text: `5xx`, `down`, `timing out`, … */
export function failureState(sample: Pick<Sample, 'observed' | 'error'>): string {
  const text = `${sample.observed} ${sample.error ?? ''}`;
  const status = /^status (\d)\d\d\b/.exec(sample.observed);
  if (status) return `${status[1]}xx`;
  if (/timeout|timed out/i.test(text)) return 'timing out';
  if (/ECONNREFUSED|refused|ECONNRESET|reset|no connection|socket hang up|other side closed|EPIPE|not running/i.test(text)) return 'down';
  return 'unhealthy';
}

/** `+4.10 s` style offsets for cascades. */
export function offset(ms: number): string {
  const s = ms / 1000;
  return `+${s.toFixed(Math.abs(s) < 10 ? 2 : 1)} s`;
}

export function percent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}
