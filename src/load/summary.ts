/** The whole-run summary of a `faultline load` (its --json shape) and its readable and progress lines. */
import type { LoadBucket, LoadRecord } from '../journal/types.js';
import { LATE_MS, type BuiltinLoadSpec } from './spec.js';
import type { LoadProgress, LoadTotals } from './types.js';
import { effectiveWorkers } from './worker-pool.js';

export interface LoadSummary {
  url: string;
  model: 'open' | 'closed';
  connections: number;
  pipelining: number;
  /** Worker threads that generated the load (1: the main thread alone). */
  workers: number;
  durationMs: number;
  /** Every request due: sent (answered, failed, or cut off) plus never sent. */
  requests: number;
  /** Requests handed to a connection (the server received them unless the connection failed). */
  sent: number;
  errors: number;
  errorRate: number | null;
  /** Completed requests (answered or failed) per second over the run. */
  rps: number;
  latencyMs: { p50: number; p90: number; p95: number; p99: number; max: number; mean: number } | null;
  /** HTTP statuses, and error codes for requests that got no response (ECONNREFUSED, timeout, …). */
  statusCodes: Record<string, number>;
  /** Open model: the rate asked for and the rate requests actually left at. */
  requestedRate: number | null;
  achievedRate: number | null;
  /** Open model: requests that left LATE_MS or more after their intended time. */
  lateRequests: number | null;
  /** Open model: requests due before the end that never found a free connection (they never reached the server). */
  notSent: number | null;
  /** Requests sent and still unanswered when the drain after the end ran out. */
  cutOff: number;
  bytes: number;
  /** The time series (one bucket per second by default). */
  series: LoadBucket[];
}

export function summarize(spec: BuiltinLoadSpec, record: LoadRecord, totals: LoadTotals): LoadSummary {
  const open = spec.rate !== undefined;
  return {
    url: spec.url,
    model: open ? 'open' : 'closed',
    connections: spec.connections,
    pipelining: spec.pipelining,
    workers: effectiveWorkers(spec),
    durationMs: round(totals.endT - totals.startT),
    requests: totals.requests,
    sent: totals.sent,
    errors: totals.errors,
    errorRate: totals.errorRate,
    rps: totals.rps,
    latencyMs: totals.latencyMs,
    statusCodes: totals.statusCodes,
    requestedRate: record.requestedRate ?? null,
    achievedRate: record.achievedRate ?? null,
    lateRequests: record.lateRequests ?? null,
    notSent: open ? totals.notSent : null,
    cutOff: totals.cutOff,
    bytes: totals.bytes,
    series: record.buckets,
  };
}

export function formatSummary(s: LoadSummary): string {
  const lines: string[] = [];
  const model = s.model === 'open' ? `open model at ${num(s.requestedRate ?? 0)}/s (up to ${s.connections} connections)` : `closed model, ${s.connections} connection${s.connections === 1 ? '' : 's'}${s.pipelining > 1 ? `, pipelining ${s.pipelining}` : ''}`;
  lines.push(`${s.url} — ${model}${s.workers > 1 ? `, ${s.workers} worker threads` : ''}, ${(s.durationMs / 1000).toFixed(1)}s`);
  const errPct = s.errorRate === null ? '' : ` (${pct(s.errorRate)})`;
  lines.push(`  requests  ${num(s.requests)}   ${num(s.rps)} rps   errors ${num(s.errors)}${errPct}`);
  const notSent = s.notSent ?? 0;
  if (notSent > 0 || s.cutOff > 0) {
    const parts: string[] = [];
    if (notSent > 0) parts.push(`${num(notSent)} never sent (due, but no connection was free before the end)`);
    if (s.cutOff > 0) parts.push(`${num(s.cutOff)} sent but cut off unanswered at the end`);
    lines.push(`  unanswered ${parts.join(', ')}: counted as errors, with their age as latency`);
  }
  if (s.latencyMs) {
    const l = s.latencyMs;
    lines.push(`  latency   p50 ${ms(l.p50)}   p90 ${ms(l.p90)}   p95 ${ms(l.p95)}   p99 ${ms(l.p99)}   max ${ms(l.max)}   mean ${ms(l.mean)}`);
  } else lines.push('  latency   no responses');
  const codes = Object.entries(s.statusCodes);
  if (codes.length > 0) lines.push(`  status    ${codes.map(([k, n]) => `${k} × ${num(n)}`).join('   ')}`);
  if (s.model === 'open') {
    const short = s.achievedRate !== null && s.requestedRate !== null && s.achievedRate < s.requestedRate * 0.95;
    lines.push(
      `  rate      requested ${num(s.requestedRate ?? 0)}/s, achieved ${num(s.achievedRate ?? 0)}/s; ${num(s.lateRequests ?? 0)} sent late (>= ${LATE_MS}ms after their time), ${num(notSent)} never sent` +
        (short ? '\n  note      the requested rate was not reached: raise --connections, or the machine (or the server) cannot keep up' : ''),
    );
  }
  if (s.model === 'open') lines.push(`  latency counts from each request's intended send time (no coordinated omission)`);
  return `${lines.join('\n')}\n`;
}

/** One line for a terminal's status line or a log. */
export function formatProgress(p: LoadProgress, durationMs: number | undefined): string {
  const elapsed = `${(p.elapsedMs / 1000).toFixed(1)}s${durationMs !== undefined ? `/${(durationMs / 1000).toFixed(0)}s` : ''}`;
  let line = `${elapsed}  ${num(p.requests)} requests  ${num(p.errors)} errors`;
  if (p.late > 0) line += `  ${num(p.late)} late`;
  if (p.last) {
    const rps = p.last.durationMs > 0 ? (p.last.requests * 1000) / p.last.durationMs : 0;
    line += `  | last ${(p.last.durationMs / 1000).toFixed(1)}s: ${num(rps)} rps`;
    if (p.last.latencyMs) line += `, p99 ${ms(p.last.latencyMs.p99)}`;
  }
  return line;
}

function num(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : String(Math.round(n * 10) / 10);
}

function ms(n: number): string {
  if (n >= 1000) return `${(n / 1000).toFixed(2)}s`;
  return `${n >= 100 ? Math.round(n) : n >= 10 ? n.toFixed(1) : n.toFixed(2)}ms`;
}

function pct(f: number): string {
  return `${Number((f * 100).toFixed(2))}%`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
