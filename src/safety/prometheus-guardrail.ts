/**
 * PromQL guardrails: a query's value against its bounds, held for `for` before the run aborts.
 * This file only judges readings; the runner (experiment/runner/phases/guardrails.ts) asks
 * Prometheus on each guardrail's interval and aborts on the first `abort`.
 */
import type { PromqlOutcome } from '../probes/promql.js';
import type { MetricsAggregate } from '../probes/types.js';
import { formatDuration } from '../util/duration.js';

/** One `guardrails.prometheus` entry (the schema's output; durations in ms). */
export interface PrometheusGuardrail {
  name?: string;
  url: string;
  query: string;
  aggregate?: MetricsAggregate;
  headers?: Record<string, string>;
  bearerTokenEnv?: string;
  max?: number;
  min?: number;
  for: number;
  interval: number;
  timeout?: number;
  onNoData: 'continue' | 'abort';
}

export interface PromqlJudgement {
  /** pending: out of bounds, but not yet for `for`. */
  status: 'ok' | 'pending' | 'breached' | 'unknown';
  value?: number;
  /** Why pending, breached or unknown, in a sentence. */
  detail?: string;
  /** Set when the run must abort now: the reason it gives. */
  abort?: string;
}

export function describePrometheusGuardrail(g: PrometheusGuardrail): string {
  const bounds = [g.max !== undefined ? `> ${g.max}` : undefined, g.min !== undefined ? `< ${g.min}` : undefined].filter(Boolean).join(' or ');
  return `abort if ${g.name ?? `PromQL ${g.query}`} ${bounds}${g.for > 0 ? ` for ${formatDuration(g.for)}` : ''}`;
}

/** The evaluation timeout: the guardrail's own, else its interval, at most 5 s. */
export function promqlTimeout(g: PrometheusGuardrail): number {
  return g.timeout ?? Math.min(g.interval, 5000);
}

/** Judges one guardrail's readings in order; keeps when the current breach began. */
export class PromqlGuardrailJudge {
  #breachSince: number | undefined;

  constructor(readonly guardrail: PrometheusGuardrail) {}

  /** `now`: the run's clock (ms) when the reading was due (readings are due `interval` apart). */
  judge(outcome: PromqlOutcome, now: number): PromqlJudgement {
    const g = this.guardrail;
    const label = g.name ?? `PromQL ${g.query}`;
    if (!outcome.ok) {
      // A gap ends a breach: `for` counts evaluations that all saw the bound broken.
      this.#breachSince = undefined;
      const detail = `no value: ${outcome.error}`;
      if (g.onNoData === 'abort') return { status: 'breached', detail, abort: `${label} has no value (onNoData: abort): ${outcome.error}` };
      return { status: 'unknown', detail };
    }
    const value = outcome.reading.value;
    const broken = g.max !== undefined && value > g.max ? `above ${g.max}` : g.min !== undefined && value < g.min ? `below ${g.min}` : undefined;
    if (!broken) {
      this.#breachSince = undefined;
      return { status: 'ok', value };
    }
    this.#breachSince ??= now;
    const held = now - this.#breachSince;
    const detail = `${formatValue(value)}, ${broken}`;
    if (held < g.for) return { status: 'pending', value, detail: `${detail} for ${formatDuration(held)} of ${formatDuration(g.for)}` };
    const span = g.for > 0 ? ` for ${formatDuration(held)}` : '';
    return { status: 'breached', value, detail, abort: `${label} was ${formatValue(value)}${span}, ${broken} (the guardrail's bound)` };
  }
}

function formatValue(n: number): string {
  return Number.isInteger(n) || !Number.isFinite(n) ? String(n) : String(Number(n.toPrecision(4)));
}
