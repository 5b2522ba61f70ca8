/**
 * Guardrails, evaluated continuously while faults are active (from the start of the method to
 * the end of recovery): each looks at a sliding window of the run's own observations and says
 * why the run must stop, or nothing. The runner aborts on the first reason — which reverts every
 * fault at once — so a breach ends the blast within the time it takes to see it.
 */
import type { Sample } from '../journal/types.js';
import { formatDuration } from '../util/duration.js';

export type Guardrail =
  | { availability: { below: number; window: number; service?: string } }
  | { errorRate: { above: number; window: number } }
  | { p95: { above: number; window: number } }
  | { probe: string; failures: number };

/** What load-based guardrails read: the live load generator's last `windowMs`. */
export interface LiveLoad {
  recent(windowMs: number): { requests: number; errors: number; p95Ms: number | null };
}

export interface GuardrailContext {
  now: number;
  /** Samples of one series, in time order. */
  samples(series: string): readonly Sample[];
  /** Every `service:` series with a health check. */
  services: readonly string[];
  /** Critical services no fault targets: any failure there is collateral damage. */
  protectedServices: readonly string[];
  /** Consecutive failed probes of a protected service that trip (default 2). */
  criticalFailures: number;
  load?: LiveLoad;
}

const MIN_SAMPLES = 3;

/** A guardrail's reading: within bounds, breached (with why), or unknown (not enough data yet). */
export interface GuardrailState {
  status: 'ok' | 'breached' | 'unknown';
  /** The breach, in a sentence (status breached). */
  reason?: string;
  /** What was read: availability or error rate (fraction), p95 (ms), trailing probe failures. */
  value?: number;
}

export function checkGuardrails(guards: readonly Guardrail[], ctx: GuardrailContext): string | undefined {
  for (const service of ctx.protectedServices) {
    const n = trailingFailures(ctx.samples(`service:${service}`));
    if (n >= ctx.criticalFailures) return `critical service ${service} failed ${n} health probes in a row (it is not a target of this experiment)`;
  }
  for (const g of guards) {
    const state = guardrailState(g, ctx);
    if (state.status === 'breached') return state.reason;
  }
  return undefined;
}

export function guardrailState(g: Guardrail, ctx: GuardrailContext): GuardrailState {
  if ('availability' in g) {
    const { below, window, service } = g.availability;
    const names = service ? [service] : ctx.services;
    const recent = names.flatMap((s) => ctx.samples(`service:${s}`).filter((x) => x.t >= ctx.now - window));
    if (recent.length < MIN_SAMPLES) return { status: 'unknown' };
    const availability = recent.filter((x) => x.ok).length / recent.length;
    if (availability < below) {
      return { status: 'breached', value: availability, reason: `availability of ${service ?? 'the system'} was ${pct(availability)} over the last ${formatDuration(window)}, below the guardrail's ${pct(below)}` };
    }
    return { status: 'ok', value: availability };
  }
  if ('errorRate' in g) {
    const r = ctx.load?.recent(g.errorRate.window);
    if (!r || r.requests < MIN_SAMPLES) return { status: 'unknown' };
    const rate = r.errors / r.requests;
    return rate > g.errorRate.above
      ? { status: 'breached', value: rate, reason: `error rate was ${pct(rate)} over the last ${formatDuration(g.errorRate.window)}, above the guardrail's ${pct(g.errorRate.above)}` }
      : { status: 'ok', value: rate };
  }
  if ('p95' in g) {
    const r = ctx.load?.recent(g.p95.window);
    if (!r || r.p95Ms === null || r.requests < MIN_SAMPLES) return { status: 'unknown' };
    return r.p95Ms > g.p95.above
      ? { status: 'breached', value: r.p95Ms, reason: `p95 latency was ${formatDuration(r.p95Ms)} over the last ${formatDuration(g.p95.window)}, above the guardrail's ${formatDuration(g.p95.above)}` }
      : { status: 'ok', value: r.p95Ms };
  }
  const samples = ctx.samples(`probe:${g.probe}`);
  if (samples.length === 0) return { status: 'unknown' };
  const n = trailingFailures(samples);
  return n >= g.failures ? { status: 'breached', value: n, reason: `probe "${g.probe}" failed ${n} times in a row (guardrail: ${g.failures})` } : { status: 'ok', value: n };
}

function trailingFailures(samples: readonly Sample[]): number {
  let n = 0;
  for (let i = samples.length - 1; i >= 0 && !samples[i]!.ok; i--) n++;
  return n;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
}

export function describeGuardrail(g: Guardrail): string {
  if ('availability' in g) return `abort if availability of ${g.availability.service ?? 'the system'} < ${pct(g.availability.below)} over ${formatDuration(g.availability.window)}`;
  if ('errorRate' in g) return `abort if error rate > ${pct(g.errorRate.above)} over ${formatDuration(g.errorRate.window)}`;
  if ('p95' in g) return `abort if p95 latency > ${formatDuration(g.p95.above)} over ${formatDuration(g.p95.window)}`;
  return `abort if probe "${g.probe}" fails ${g.failures} times in a row`;
}
