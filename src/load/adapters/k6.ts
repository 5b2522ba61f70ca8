/**
 * k6. Three outputs are read:
 * - `--summary-export FILE` (whole run): `metrics.http_reqs.count`, `metrics.http_req_failed`
 *   (a Rate: `passes` counts the requests that FAILED, `fails` those that did not),
 *   `metrics.http_req_duration` {avg, med, max, p(90), p(95), p(99) when asked for}.
 * - the `handleSummary()` data (whole run): the same metrics under `values`, plus
 *   `state.testRunDurationMs`.
 * - `--out json=FILE` (one JSON object per line, a `Point` per request): exact per-phase figures.
 * k6's default summary has no p(99) — run k6 with `--summary-trend-stats "avg,min,med,max,p(90),p(95),p(99)"`;
 * without it, p99 is reported as the max (an upper bound).
 */
import { asRecord, fromRequests, fromWholeRun, num, type Adapter, type RequestEvent, type ToolRun, type AdapterOutput } from './tool-run.js';

export const k6Adapter: Adapter = (text, run) => {
  const trimmed = text.trim();
  if (trimmed === '') throw new Error('the k6 report is empty');
  let whole: unknown;
  try {
    whole = JSON.parse(trimmed);
  } catch {
    return fromPoints(trimmed, run);
  }
  const doc = asRecord(whole);
  if (doc && asRecord(doc.metrics)) return fromSummary(doc, run);
  if (doc && (doc.type === 'Point' || doc.type === 'Metric')) return fromPoints(trimmed, run);
  throw new Error('not a k6 summary: expected an object with "metrics" (--summary-export) or lines of {"type":"Point",…} (--out json)');
};

function fromSummary(doc: Record<string, unknown>, run: ToolRun): AdapterOutput {
  const metrics = asRecord(doc.metrics)!;
  // --summary-export puts the figures on the metric; handleSummary() data under `values`.
  const metric = (name: string): Record<string, unknown> | undefined => {
    const m = asRecord(metrics[name]);
    return asRecord(m?.values) ?? m;
  };
  const reqs = metric('http_reqs');
  const failed = metric('http_req_failed');
  const duration = metric('http_req_duration');
  const requests = num(reqs?.count);
  if (requests === undefined) throw new Error('the k6 summary has no metrics.http_reqs.count (did the script make HTTP requests?)');
  // A Rate's `passes` are its true values: for http_req_failed, the failed requests.
  const errors = num(failed?.passes) ?? (num(failed?.value ?? failed?.rate) !== undefined ? Math.round(num(failed?.value ?? failed?.rate)! * requests) : 0);
  const state = asRecord(doc.state);
  const rate = num(reqs?.rate);
  const durationMs = num(state?.testRunDurationMs) ?? (rate !== undefined && rate > 0 ? (requests / rate) * 1000 : undefined);
  const p = (key: string): number | undefined => num(duration?.[key]);
  const max = p('max');
  const latencyMs =
    duration && max !== undefined
      ? {
          p50: p('med') ?? p('p(50)') ?? 0,
          p90: p('p(90)') ?? max,
          p95: p('p(95)') ?? max,
          p99: p('p(99)') ?? max,
          max,
          mean: p('avg') ?? 0,
        }
      : null;
  return fromWholeRun({ requests, errors, statusCodes: {}, latencyMs, ...(durationMs !== undefined ? { durationMs } : {}) }, run);
}

/** `--out json`: one request per `http_req_duration` point, with its status tag (0: no response) and completion time. */
function fromPoints(text: string, run: ToolRun): AdapterOutput {
  const events: RequestEvent[] = [];
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line.trim() === '') continue;
    let point: Record<string, unknown> | undefined;
    try {
      point = asRecord(JSON.parse(line));
    } catch {
      throw new Error(`line ${lineNo} of the k6 output is not JSON`);
    }
    if (point?.type !== 'Point' || point.metric !== 'http_req_duration') continue;
    const data = asRecord(point.data);
    const tags = asRecord(data?.tags);
    const time = typeof data?.time === 'string' ? Date.parse(data.time) : NaN;
    const value = num(data?.value);
    if (Number.isNaN(time) || value === undefined) continue;
    const status = num(tags?.status) ?? 0;
    const event: RequestEvent = { t: run.toRunT(time), status, latencyMs: value };
    if (status === 0) event.error = typeof tags?.error_code === 'string' ? `k6-${tags.error_code}` : 'error';
    events.push(event);
  }
  if (events.length === 0) throw new Error('the k6 output has no http_req_duration points');
  return fromRequests(events, run);
}
