/**
 * One instant PromQL query through the Prometheus HTTP API (POST /api/v1/query, with `time` and
 * a server-side `timeout`), read down to one number. Shared by the prometheus probe and the
 * PromQL guardrails. Everything that leaves no number — no answer, an API error, a range vector,
 * no series, several series without an aggregate, NaN — comes back as a reason, never a throw.
 */
import { aggregate as combine } from './aggregate.js';
import { startDeadline } from './deadline.js';
import { lazyClient } from './undici-client.js';
import { errorText } from './error-text.js';
import type { MetricsAggregate, PrometheusQuery, PromqlReading } from './types.js';

/** API answers are small (one instant vector); a bound all the same. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

const client = lazyClient({ keepAliveTimeout: 4000, keepAliveMaxTimeout: 10_000 });

export type PromqlOutcome = { ok: true; reading: PromqlReading; latencyMs: number; status: number } | { ok: false; error: string; latencyMs: number; status?: number };

export interface PromqlOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Evaluation time (ms since the epoch); default now. */
  time?: number;
}

interface ApiAnswer {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

export async function queryPrometheus(q: PrometheusQuery, options: PromqlOptions): Promise<PromqlOutcome> {
  const { request, agent } = await client();
  const started = performance.now();
  const took = () => performance.now() - started;
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', ...q.headers };
  if (q.bearerTokenEnv !== undefined) {
    const token = process.env[q.bearerTokenEnv];
    if (!token) return { ok: false, error: `environment variable ${q.bearerTokenEnv} (bearerTokenEnv) is not set`, latencyMs: 0 };
    headers.authorization = `Bearer ${token}`;
  }
  const body = new URLSearchParams({ query: q.query, time: ((options.time ?? Date.now()) / 1000).toFixed(3), timeout: `${Math.max(1, Math.round(options.timeoutMs))}ms` });
  const deadline = startDeadline(options.timeoutMs, options.signal);
  let status: number | undefined;
  try {
    const res = await request(apiUrl(q.url), { method: 'POST', headers, body: body.toString(), signal: deadline.signal, dispatcher: agent });
    status = res.statusCode;
    const text = await readAll(res.body);
    const latencyMs = took();
    let answer: ApiAnswer;
    try {
      answer = JSON.parse(text) as ApiAnswer;
    } catch {
      return { ok: false, status, latencyMs, error: `not a Prometheus API answer (status ${status}${status === 404 ? `: is ${q.url} the Prometheus server's address?` : ''})` };
    }
    if (answer.status !== 'success') {
      const why = answer.error ? `${answer.errorType ? `${answer.errorType}: ` : ''}${answer.error}` : `status ${status}`;
      return { ok: false, status, latencyMs, error: `query failed (${why})` };
    }
    const read = readResult(answer.data, q.aggregate);
    return typeof read === 'string' ? { ok: false, status, latencyMs, error: read } : { ok: true, status, latencyMs, reading: read };
  } catch (err) {
    const why = deadline.reason ?? errorText(err);
    return { ok: false, latencyMs: took(), error: status === undefined ? `Prometheus at ${q.url} did not answer (${why})` : why, ...(status !== undefined ? { status } : {}) };
  } finally {
    deadline.clear();
  }
}

/** The query endpoint under the server's URL (which may carry a path prefix, e.g. behind a proxy). */
function apiUrl(server: string): string {
  const url = new URL(server);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v1/query`;
  return url.toString();
}

/** The number in a result, or why there is none. */
function readResult(data: ApiAnswer['data'], how: MetricsAggregate | undefined): PromqlReading | string {
  const type = data?.resultType;
  if (type === 'scalar') return one('scalar', 1, sampleValue(data?.result));
  if (type === 'matrix') return 'the query returned a range vector: ask for an instant vector (drop the [range], or wrap it in a function such as rate())';
  if (type !== 'vector' || !Array.isArray(data?.result)) return `the query returned a ${type ?? 'malformed'} result, not a number`;
  const series = data.result as { metric?: Record<string, string>; value?: unknown }[];
  if (series.length === 0) return 'no series: the query returned an empty vector (when no data means 0, append `or vector(0)` to the query)';
  if (series.length > 1 && how === undefined) {
    const shown = series.slice(0, 3).map((s) => labels(s.metric));
    return `${series.length} series (${shown.join(', ')}${series.length > 3 ? ', …' : ''}): combine them in the query (e.g. sum(…)) or say how with aggregate: sum|min|max|avg|count`;
  }
  // Several series only with an aggregate (checked above); one series sums to itself. Never empty here.
  return one('vector', series.length, combine(how ?? 'sum', series.map((s) => sampleValue(s.value)))!);
}

function one(resultType: 'scalar' | 'vector', series: number, value: number): PromqlReading | string {
  if (Number.isNaN(value)) return 'the value is NaN (e.g. 0/0: nothing counted in the window)';
  return { resultType, series, value };
}

/** A sample is [time, "value"]; Prometheus writes NaN and infinities as "NaN", "+Inf", "-Inf". */
function sampleValue(sample: unknown): number {
  const text = Array.isArray(sample) ? sample[1] : undefined;
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return typeof text === 'string' && text.trim() !== '' ? Number(text) : Number.NaN;
}

function labels(metric: Record<string, string> | undefined): string {
  const entries = Object.entries(metric ?? {});
  return `{${entries.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

async function readAll(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES) throw new Error(`answer larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}
