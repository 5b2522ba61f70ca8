/**
 * Metrics probe: scrape a Prometheus text-format endpoint, pick the series of one metric whose
 * labels include the given ones, and combine them into one value (sum by default).
 *
 * Counters also get an `increase`: how much they grew since the baseline, computed per series as
 * Prometheus's increase() does — a value lower than the last one seen is a counter reset (the
 * process restarted), so the new value counts in full; a series that appears after the baseline
 * counts from 0 (client libraries create labelled series on first use). The baseline is the
 * probe's scrape at the run's steady-state check before the method (`phase: 'before'`), or its
 * first scrape in the run. State is kept per query object: one parsed experiment, one run.
 */
import { aggregate } from './aggregate.js';
import { startDeadline } from './deadline.js';
import { lazyClient } from './undici-client.js';
import { errorText } from './error-text.js';
import { formatLabels, parsePrometheusText, PromParseError, selectSamples, seriesKey } from './prometheus-text.js';
import type { MetricReading, MetricsQuery, ProbeOptions, ProbeResult } from './types.js';

/** Metrics pages can be large (histograms per route); a bound all the same. */
export const MAX_METRICS_BYTES = 16 * 1024 * 1024;

const client = lazyClient({ keepAliveTimeout: 1000, keepAliveMaxTimeout: 1000 });

interface CounterState {
  /** Sequence number of the last scrape started, and of the last one applied. */
  started: number;
  applied: number;
  hasBaseline: boolean;
  last: Map<string, number>;
  increase: number;
}

const states = new WeakMap<MetricsQuery, CounterState>();

export async function metricsProbe(query: MetricsQuery, options: ProbeOptions): Promise<ProbeResult> {
  const state = stateOf(query);
  const { request, agent } = await client();
  const seq = ++state.started;
  const deadline = startDeadline(options.timeout, options.signal);
  const started = performance.now();
  let status: number | undefined;
  try {
    const res = await request(query.url, {
      method: 'GET',
      headers: { accept: 'text/plain;version=0.0.4;q=0.9, */*;q=0.1', ...query.headers },
      signal: deadline.signal,
      dispatcher: agent,
      reset: true,
    });
    status = res.statusCode;
    const text = await readAll(res.body);
    const latencyMs = performance.now() - started;
    if (status < 200 || status > 299) return { ok: false, latencyMs, status, error: `metrics endpoint answered status ${status}` };
    let exposition;
    try {
      exposition = parsePrometheusText(text);
    } catch (err) {
      if (err instanceof PromParseError) return { ok: false, latencyMs, status, error: `not Prometheus text format (${err.message})` };
      throw err;
    }
    const samples = selectSamples(exposition, query.name, query.labels);
    const metric = read(query, samples, state, seq, options.phase === 'before');
    return { ok: true, latencyMs, status, metric };
  } catch (err) {
    const result: ProbeResult = { ok: false, latencyMs: performance.now() - started, error: deadline.reason ?? errorText(err) };
    if (status !== undefined) result.status = status;
    return result;
  } finally {
    deadline.clear();
  }
}

function stateOf(query: MetricsQuery): CounterState {
  let state = states.get(query);
  if (!state) states.set(query, (state = { started: 0, applied: 0, hasBaseline: false, last: new Map(), increase: 0 }));
  return state;
}

function read(query: MetricsQuery, samples: { name: string; labels: Record<string, string>; value: number }[], state: CounterState, seq: number, resetBaseline: boolean): MetricReading {
  const reading: MetricReading = { query: `${query.name}${formatLabels(query.labels ?? {})}`, series: samples.length, increase: 0, baseline: false };
  const value = aggregate(query.aggregate ?? 'sum', samples.map((s) => s.value));
  if (value !== undefined) reading.value = value;
  // A scrape that started before one already applied carries older values: it must not look like a reset.
  if (seq < state.applied && !resetBaseline) {
    reading.increase = state.increase;
    return reading;
  }
  state.applied = seq;
  if (resetBaseline || !state.hasBaseline) {
    state.hasBaseline = true;
    state.last = new Map(samples.map((s) => [seriesKey(s.name, s.labels), s.value]));
    state.increase = 0;
    reading.baseline = true;
    return reading;
  }
  for (const s of samples) {
    if (!Number.isFinite(s.value)) continue;
    const key = seriesKey(s.name, s.labels);
    const prev = state.last.get(key);
    state.increase += prev === undefined || s.value < prev ? s.value : s.value - prev;
    state.last.set(key, s.value);
  }
  reading.increase = state.increase;
  return reading;
}

async function readAll(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_METRICS_BYTES) throw new Error(`metrics page larger than ${MAX_METRICS_BYTES / 1024 / 1024} MiB`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}
