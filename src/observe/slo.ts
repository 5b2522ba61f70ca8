/**
 * SLO verdicts from the journal's load figures. An SLO bounds one figure of one phase, either
 * absolutely (p95 <= 300 ms, error rate <= 1 %, availability >= 99 %, throughput >= 100 rps) or
 * relative to another phase of the same run, the baseline by default (p95 <= 3x baseline,
 * throughput >= 0.8x baseline — a drop of at most 20 %). Reads only the LoadRecord, so every
 * verdict can be re-derived from journal.json.
 *
 * Requests that never got an answer — never sent, or cut off at the end — are in a phase's
 * requests, errors and latency (at their age), so every verdict counts them; the observed text
 * says how many there were, since they are what a stall looks like.
 */
import type { CheckResult, LoadBucket, LoadPhase, LoadRecord } from '../journal/types.js';

export type SloPhase = LoadPhase['phase'];
export type SloMetric = 'p50' | 'p90' | 'p95' | 'p99' | 'max' | 'mean' | 'errorRate' | 'availability' | 'throughput';

export interface Slo {
  /** Shown in reports; default e.g. `p95 in chaos`. */
  name?: string;
  metric: SloMetric;
  op: '<=' | '>=';
  /**
   * Absolute: ms for latencies, a fraction 0..1 for errorRate and availability, requests per
   * second for throughput. Relative (`relativeTo` set): a factor of that phase's figure.
   */
  value: number;
  relativeTo?: SloPhase;
  /** The phase whose figures are judged. */
  phase: SloPhase;
}

const LATENCY = new Set<SloMetric>(['p50', 'p90', 'p95', 'p99', 'max', 'mean']);

/** The figures an SLO can read: a phase's, or the whole run's when the tool gave no per-phase figures. */
interface Figures {
  where: string;
  /** Unanswered requests among them (never sent, cut off), said after the figure; '' when none. */
  unanswered: string;
  requests: number;
  errors: number;
  rps: number;
  latencyMs: Partial<Record<'p50' | 'p90' | 'p95' | 'p99' | 'max' | 'mean', number>> | null;
}

export function evaluateSlos(slos: readonly Slo[], record: LoadRecord, now: number): CheckResult[] {
  return slos.map((slo) => evaluateSlo(slo, record, now));
}

export function evaluateSlo(slo: Slo, record: LoadRecord, now: number): CheckResult {
  const name = slo.name ?? `${label(slo.metric)} in ${slo.phase}`;
  const expected = describeExpected(slo);
  const result = (ok: boolean, observed: string, expectedText = expected): CheckResult => ({ name, kind: 'slo', ok, observed, expected: expectedText, t: now });

  const figures = figuresFor(record, slo.phase);
  if (typeof figures === 'string') return result(false, figures);
  const observed = read(figures, slo.metric);
  if (observed === undefined) return result(false, `no ${slo.metric === 'errorRate' || slo.metric === 'availability' ? 'requests' : 'responses'} ${figures.where}`);
  const observedText = `${label(slo.metric)} ${format(slo.metric, observed)} ${figures.where}${figures.unanswered}`;

  if (slo.relativeTo === undefined) return result(compare(observed, slo.op, slo.value), observedText);

  const base = figuresFor(record, slo.relativeTo);
  if (typeof base === 'string') return result(false, `${observedText}; ${base}, nothing to compare with`);
  const baseValue = read(base, slo.metric);
  if (baseValue === undefined) return result(false, `${observedText}; no ${slo.relativeTo} figure to compare with`);
  const bound = baseValue * slo.value;
  const expectedText = `${expected} (${slo.relativeTo} ${format(slo.metric, baseValue)}, so ${slo.op} ${format(slo.metric, bound)})`;
  const ratio = baseValue > 0 ? `, ${trim(observed / baseValue, 2)}x ${slo.relativeTo}` : '';
  return result(compare(observed, slo.op, bound), `${observedText}${ratio}`, expectedText);
}

function compare(observed: number, op: Slo['op'], bound: number): boolean {
  return op === '<=' ? observed <= bound : observed >= bound;
}

function figuresFor(record: LoadRecord, phase: SloPhase): Figures | string {
  const p = record.phases.find((x) => x.phase === phase);
  if (p) return { where: `in ${phase}`, unanswered: unanswered(p.statusCodes), requests: p.requests, errors: p.errors, rps: p.rps, latencyMs: p.latencyMs };
  if (record.phases.length === 0 && record.buckets.length > 0) return wholeRun(record.buckets, record.tool);
  if (record.error !== undefined) return `no load figures: ${record.error}`;
  return `no load figures for ${phase} (the run had no ${phase} phase under load)`;
}

/**
 * A tool that reports whole-run figures only: judge those, and say so. With one bucket (the usual
 * case) they are exact; across several buckets max is exact and the percentiles are the buckets'
 * weighted by their requests.
 */
function wholeRun(buckets: LoadBucket[], tool: string): Figures {
  const requests = buckets.reduce((a, b) => a + b.requests, 0);
  const errors = buckets.reduce((a, b) => a + b.errors, 0);
  const ms = buckets.reduce((a, b) => a + b.durationMs, 0);
  const withLatency = buckets.filter((b) => b.latencyMs !== null && b.requests > 0);
  const weight = withLatency.reduce((a, b) => a + b.requests, 0);
  const avg = (k: 'p50' | 'p95' | 'p99'): number => withLatency.reduce((a, b) => a + b.latencyMs![k] * b.requests, 0) / weight;
  return {
    where: `over the whole ${tool} run (no per-phase figures)`,
    unanswered: '',
    requests,
    errors,
    rps: ms > 0 ? (requests * 1000) / ms : 0,
    latencyMs: weight > 0 ? { p50: avg('p50'), p95: avg('p95'), p99: avg('p99'), max: Math.max(...withLatency.map((b) => b.latencyMs!.max)) } : null,
  };
}

/** ` (48 never sent, 2 cut off)` from a phase's status codes (the generator counts them there), or ''. */
function unanswered(statusCodes: Record<string, number>): string {
  const notSent = statusCodes['not-sent'] ?? 0;
  const cutOff = statusCodes['cut-off'] ?? 0;
  const parts = [...(notSent > 0 ? [`${notSent} never sent`] : []), ...(cutOff > 0 ? [`${cutOff} cut off at the end`] : [])];
  return parts.length > 0 ? ` (counting ${parts.join(' and ')})` : '';
}

function read(f: Figures, metric: SloMetric): number | undefined {
  if (LATENCY.has(metric)) return f.latencyMs?.[metric as 'p50'] ?? undefined;
  if (metric === 'throughput') return f.rps;
  if (f.requests === 0) return undefined;
  return metric === 'errorRate' ? f.errors / f.requests : 1 - f.errors / f.requests;
}

export function describeExpected(slo: Slo): string {
  if (slo.relativeTo !== undefined) return `${label(slo.metric)} ${slo.op} ${trim(slo.value, 3)}x ${slo.relativeTo}`;
  return `${label(slo.metric)} ${slo.op} ${format(slo.metric, slo.value)}`;
}

function label(metric: SloMetric): string {
  return metric === 'errorRate' ? 'error rate' : metric === 'mean' ? 'mean latency' : metric === 'max' ? 'max latency' : metric;
}

function format(metric: SloMetric, value: number): string {
  if (LATENCY.has(metric)) return `${value >= 100 ? Math.round(value) : trim(value, value >= 10 ? 1 : 2)}ms`;
  if (metric === 'throughput') return `${value >= 100 ? Math.round(value) : trim(value, 1)} rps`;
  return `${trim(value * 100, 2)}%`;
}

function trim(n: number, digits: number): string {
  return String(Number(n.toFixed(digits)));
}
