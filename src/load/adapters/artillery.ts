/**
 * Artillery's JSON report (`artillery run --output FILE`): `aggregate` for the whole run and
 * `intermediate`, one entry per period (10 s by default, `period` = its start, epoch ms), each with
 * counters (`http.requests`, `http.codes.<status>`, `errors.<code>`) and summaries
 * (`http.response_time` {p50, p90, p95, p99, max, mean, count}). Periods become buckets; a phase
 * gets the periods whose middle falls in it.
 */
import { asRecord, countErrors, fromPeriods, fromWholeRun, num, type Adapter, type PeriodFigures, type ToolRun } from './tool-run.js';

const DEFAULT_PERIOD_MS = 10_000;

export const artilleryAdapter: Adapter = (text, run) => {
  let doc: Record<string, unknown> | undefined;
  try {
    doc = asRecord(JSON.parse(text));
  } catch {
    throw new Error('the Artillery report is not JSON');
  }
  const aggregate = asRecord(doc?.aggregate);
  if (!doc || !aggregate) throw new Error('not an Artillery report: expected an object with "aggregate" (artillery run --output FILE)');
  const intermediate = Array.isArray(doc.intermediate) ? doc.intermediate.map(asRecord).filter((p) => p !== undefined) : [];
  if (intermediate.length === 0) {
    const p = period(aggregate, run, 0);
    return fromWholeRun({ requests: p.requests, errors: p.errors, statusCodes: p.statusCodes, latencyMs: p.latency }, run);
  }
  const starts = intermediate.map((p) => num(p.period)).filter((n): n is number => n !== undefined).sort((a, b) => a - b);
  const gaps = starts.slice(1).map((s, i) => s - starts[i]!).filter((g) => g > 0);
  const periodMs = gaps.length > 0 ? Math.min(...gaps) : DEFAULT_PERIOD_MS;
  const periods = intermediate.map((p) => period(p, run, periodMs)).sort((a, b) => a.t - b.t);
  return fromPeriods(periods, run);
};

function period(p: Record<string, unknown>, run: ToolRun, periodMs: number): PeriodFigures {
  const counters = asRecord(p.counters) ?? {};
  const count = (key: string): number => num(counters[key]) ?? 0;
  const statusCodes: Record<string, number> = {};
  let noResponse = 0;
  for (const [key, value] of Object.entries(counters)) {
    const n = num(value) ?? 0;
    const code = /^http\.codes\.(\d+)$/.exec(key);
    if (code) statusCodes[code[1]!] = (statusCodes[code[1]!] ?? 0) + n;
    const err = /^errors\.(.+)$/.exec(key);
    if (err) {
      statusCodes[err[1]!] = (statusCodes[err[1]!] ?? 0) + n;
      noResponse += n;
    }
  }
  const summaries = asRecord(p.summaries) ?? asRecord(p.histograms) ?? {};
  const rt = asRecord(summaries['http.response_time']);
  const c = num(rt?.count) ?? 0;
  const v = (k: string): number => num(rt?.[k]) ?? 0;
  // The period's window, clipped to the tool's own run: [period, period + length) on the wall clock.
  const first = num(p.firstMetricAt) ?? num(p.firstCounterAt);
  const last = num(p.lastMetricAt) ?? num(p.lastCounterAt);
  const start = num(p.period) ?? first ?? 0;
  const from = Math.max(run.toRunT(periodMs > 0 ? start : (first ?? start)), run.startT);
  const to = periodMs > 0 ? Math.min(run.toRunT(start + periodMs), Math.max(run.endT, from)) : run.toRunT(last ?? start);
  return {
    t: from,
    durationMs: Math.max(0, to - from),
    requests: count('http.requests'),
    errors: countErrors(statusCodes, run.okStatus, noResponse),
    statusCodes,
    latency: rt && c > 0 ? { count: c, p50: v('p50') || v('median'), p90: v('p90'), p95: v('p95'), p99: v('p99'), max: v('max'), mean: v('mean') } : null,
  };
}
