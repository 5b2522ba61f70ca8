/**
 * What adapters share: when the tool ran (on the run clock), where the phase marks fell, and three
 * ways to turn a tool's figures into the journal's per-phase figures — per request (exact), per
 * period (as fine as the tool's periods), or whole-run only (a phase only when the tool ran inside
 * one; otherwise no per-phase figures and one bucket for the whole run).
 */
import type { LoadBucket, LoadPhase, LoadRecord } from '../../journal/types.js';
import { LoadRecorder } from '../recorder.js';
import { expandStatuses, type StatusMatch } from '../status.js';
import type { LoadPhaseName } from '../types.js';

export interface ToolRun {
  /** Run time (ms) the tool was started and when it exited. */
  startT: number;
  endT: number;
  /** Wall clock (epoch ms) to run time. */
  toRunT(epochMs: number): number;
  /** Phase changes after the start, in order (the load starts in baseline). */
  marks: { phase: LoadPhaseName; t: number }[];
  okStatus: readonly StatusMatch[];
  /** Bucket length for per-request data. */
  intervalMs: number;
}

export type AdapterOutput = Pick<LoadRecord, 'phases' | 'buckets'> & Pick<LoadRecord, 'achievedRate'>;

/** Reads a tool's report text; throws an Error with a readable message when it is not that tool's format. */
export type Adapter = (text: string, run: ToolRun) => AdapterOutput;

export interface PhaseWindow {
  phase: LoadPhaseName;
  startT: number;
  endT: number;
}

export function phaseWindows(run: ToolRun): PhaseWindow[] {
  const windows: PhaseWindow[] = [{ phase: 'baseline', startT: run.startT, endT: run.endT }];
  for (const m of run.marks) {
    const last = windows.at(-1)!;
    if (m.phase === last.phase) continue;
    last.endT = Math.max(last.startT, m.t);
    windows.push({ phase: m.phase, startT: last.endT, endT: run.endT });
  }
  return windows.filter((w) => w.endT > w.startT || windows.length === 1);
}

// ---- per request ----

export interface RequestEvent {
  /** Run time the request completed. */
  t: number;
  /** HTTP status, or 0 when there was no response. */
  status: number;
  latencyMs: number;
  /** Why there was no response (status 0). */
  error?: string;
}

/** Exact figures from one event per request, replayed through the same recorder as the built-in generator. */
export function fromRequests(events: RequestEvent[], run: ToolRun): AdapterOutput {
  events.sort((a, b) => a.t - b.t);
  const rec = new LoadRecorder({ okStatus: run.okStatus, startT: run.startT });
  const marks = run.marks.slice();
  let nextBucket = run.startT + run.intervalMs;
  const advance = (t: number): void => {
    for (;;) {
      const mark = marks[0];
      if (mark !== undefined && mark.t <= t && mark.t <= nextBucket) {
        rec.mark(mark.phase, mark.t);
        marks.shift();
      } else if (nextBucket <= t) {
        rec.rotate(nextBucket);
        nextBucket += run.intervalMs;
      } else return;
    }
  };
  for (const e of events) {
    advance(e.t);
    if (e.status === 0) rec.failure(e.error ?? 'error', e.latencyMs);
    else rec.response(e.status, e.latencyMs);
  }
  const endT = Math.max(run.endT, events.at(-1)?.t ?? run.endT);
  advance(endT);
  const { phases, buckets } = rec.finish(endT);
  return { phases, buckets };
}

// ---- per period ----

export interface PeriodFigures {
  /** Run time the period starts, and its length. */
  t: number;
  durationMs: number;
  requests: number;
  errors: number;
  statusCodes: Record<string, number>;
  /** Latency of the period's responses; `count` weighs it when periods are combined. */
  latency: { count: number; p50: number; p90: number; p95: number; p99: number; max: number; mean: number } | null;
}

/**
 * Buckets straight from the tool's periods; each period counts into the phase that holds its
 * middle. Counts are exact; percentiles of a phase are the periods' percentiles weighted by their
 * response counts (an approximation: percentiles do not add), max and mean are exact.
 */
export function fromPeriods(periods: PeriodFigures[], run: ToolRun): AdapterOutput {
  const buckets: LoadBucket[] = periods.map((p) => ({
    t: round(p.t),
    durationMs: round(p.durationMs),
    requests: p.requests,
    errors: p.errors,
    latencyMs: p.latency ? { p50: p.latency.p50, p95: p.latency.p95, p99: p.latency.p99, max: p.latency.max } : null,
  }));
  const windows = phaseWindows(run);
  const last = windows.at(-1);
  const phases = windows
    .map((w) => {
      const inside = periods.filter((p) => {
        const mid = p.t + p.durationMs / 2;
        return (mid >= w.startT || w === windows[0]) && (mid < w.endT || w === last);
      });
      return inside.length > 0 ? combine(w, inside) : undefined;
    })
    .filter((p): p is LoadPhase => p !== undefined);
  return { phases, buckets };
}

function combine(w: PhaseWindow, periods: PeriodFigures[]): LoadPhase {
  const requests = sum(periods.map((p) => p.requests));
  const errors = sum(periods.map((p) => p.errors));
  const statusCodes: Record<string, number> = {};
  for (const p of periods) for (const [k, n] of Object.entries(p.statusCodes)) statusCodes[k] = (statusCodes[k] ?? 0) + n;
  const startT = Math.min(...periods.map((p) => p.t));
  const endT = Math.max(...periods.map((p) => p.t + p.durationMs));
  const lat = periods.flatMap((p) => (p.latency && p.latency.count > 0 ? [p.latency] : []));
  const n = sum(lat.map((l) => l.count));
  const weighted = (key: 'p50' | 'p90' | 'p95' | 'p99' | 'mean'): number => round3(sum(lat.map((l) => l[key] * l.count)) / n);
  return figures({
    phase: w.phase,
    startT,
    endT,
    requests,
    errors,
    statusCodes,
    latencyMs: n > 0 ? { p50: weighted('p50'), p90: weighted('p90'), p95: weighted('p95'), p99: weighted('p99'), max: Math.max(...lat.map((l) => l.max)), mean: weighted('mean') } : null,
  });
}

// ---- whole run ----

export interface WholeRunFigures {
  requests: number;
  errors: number;
  statusCodes: Record<string, number>;
  latencyMs: LoadPhase['latencyMs'];
  /** Length of the test as the tool reports it (default: the tool's process lifetime). */
  durationMs?: number;
}

/**
 * A tool that gives only whole-run figures: one bucket covering its run and, when the run lay
 * inside one phase, that phase. A run across phases gets no per-phase figures rather than
 * figures that mix baseline and chaos.
 */
export function fromWholeRun(whole: WholeRunFigures, run: ToolRun): AdapterOutput {
  const durationMs = whole.durationMs ?? run.endT - run.startT;
  const startT = whole.durationMs !== undefined ? Math.max(run.startT, run.endT - whole.durationMs) : run.startT;
  const bucket: LoadBucket = {
    t: round(startT),
    durationMs: round(durationMs),
    requests: whole.requests,
    errors: whole.errors,
    latencyMs: whole.latencyMs ? { p50: whole.latencyMs.p50, p95: whole.latencyMs.p95, p99: whole.latencyMs.p99, max: whole.latencyMs.max } : null,
  };
  const windows = phaseWindows(run).filter((w) => w.endT > startT && w.startT < startT + durationMs);
  const phases =
    windows.length === 1 ? [figures({ phase: windows[0]!.phase, startT, endT: startT + durationMs, requests: whole.requests, errors: whole.errors, statusCodes: whole.statusCodes, latencyMs: whole.latencyMs })] : [];
  return { phases, buckets: [bucket], achievedRate: durationMs > 0 ? round((whole.requests * 1000) / durationMs) : 0 };
}

export function figures(p: Omit<LoadPhase, 'rps' | 'errorRate' | 'availability'>): LoadPhase {
  const seconds = (p.endT - p.startT) / 1000;
  const errorRate = p.requests > 0 ? p.errors / p.requests : null;
  return {
    phase: p.phase,
    startT: round(p.startT),
    endT: round(p.endT),
    requests: p.requests,
    errors: p.errors,
    rps: seconds > 0 ? round(p.requests / seconds) : 0,
    errorRate,
    availability: errorRate === null ? null : 1 - errorRate,
    latencyMs: p.latencyMs,
    statusCodes: p.statusCodes,
  };
}

/** Statuses outside `ok` plus requests that got no response. */
export function countErrors(statusCodes: Record<string, number>, ok: readonly StatusMatch[], noResponse: number): number {
  const okSet = new Set(expandStatuses(ok));
  let errors = noResponse;
  for (const [k, n] of Object.entries(statusCodes)) if (/^\d+$/.test(k) && !okSet.has(Number(k))) errors += n;
  return errors;
}

/** p95 from neighbouring percentiles when a tool does not report it (autocannon: p90 and p97.5), by linear interpolation. */
export function interpolate(p: number, lo: { p: number; v: number }, hi: { p: number; v: number }): number {
  if (hi.p === lo.p) return lo.v;
  return round3(lo.v + ((hi.v - lo.v) * (p - lo.p)) / (hi.p - lo.p));
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function num(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
