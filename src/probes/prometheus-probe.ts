/** Prometheus probe: a PromQL query's value as a probe result (`expect.value` bounds it). */
import { queryPrometheus } from './promql.js';
import type { ProbeOptions, ProbeResult, PrometheusQuery } from './types.js';

export async function prometheusProbe(query: PrometheusQuery, options: ProbeOptions): Promise<ProbeResult> {
  const outcome = await queryPrometheus(query, { timeoutMs: options.timeout, ...(options.signal ? { signal: options.signal } : {}) });
  if (!outcome.ok) {
    // A 2xx that held no number says nothing the reason does not: only an HTTP failure shows its status.
    const status = outcome.status !== undefined && (outcome.status < 200 || outcome.status > 299) ? { status: outcome.status } : {};
    return { ok: false, latencyMs: outcome.latencyMs, error: outcome.error, ...status };
  }
  return { ok: true, latencyMs: outcome.latencyMs, status: outcome.status, promql: outcome.reading };
}
