/**
 * Turns request outcomes into the journal's load figures: buckets of the time series and one set
 * of figures per phase. The hot path (`response`, `failure`) only bumps plain-number counters and
 * records into one HDR histogram; `rotate()` — once per bucket, off the hot path — reads the
 * bucket's percentiles and folds its histogram and counters into the phase's. Time is passed in
 * (run ms), so the same recorder serves the live generator and adapters replaying a tool's points.
 *
 * Every request counts in `requests` and, unless it got a success status, in `errors`, with its
 * latency: responses and failures at their completion, requests that never got an answer
 * (`unanswered`: never sent, cut off) at their age when they were given up. Throughput (`rps`)
 * counts only the requests that completed.
 */
import type { LoadBucket, LoadPhase } from '../journal/types.js';
import { latencyFigures, newHistogram, toMicros, type Histogram } from './histogram.js';
import { LiveWindow, type WindowFigures } from './live-window.js';
import { addEncoded, encodeHistogram, type LoadSlice } from './slice.js';
import { expandStatuses, type StatusMatch } from './status.js';

export type PhaseName = LoadPhase['phase'];

/** Why a request has no outcome: it was due but never sent (`not-sent`), or still in flight when the load ended (`cut-off`). */
export type Unanswered = 'not-sent' | 'cut-off';

/** Status codes are counted in a flat array; anything outside 0..999 lands in the last slot. */
const STATUS_SLOTS = 1000;

interface PhaseAccumulator {
  phase: PhaseName;
  startT: number;
  requests: number;
  errors: number;
  /** Of `requests`, those that never completed (not in rps). */
  unanswered: number;
  statusCodes: Map<string, number>;
  histogram: Histogram;
}

export interface RecorderOptions {
  /** Statuses that count as success: codes and classes such as "2xx". */
  okStatus: readonly StatusMatch[];
  /** Run time the first bucket and phase start at. */
  startT: number;
  /** First phase (default baseline). */
  phase?: PhaseName;
  /** Keep this many ms of closed buckets for `recent()` (live guardrails). Default 0: none. */
  keepRecentMs?: number;
}

export class LoadRecorder {
  // ---- hot path: the current bucket ----
  #requests = 0;
  #errors = 0;
  #unanswered = 0;
  readonly #statuses = new Float64Array(STATUS_SLOTS);
  readonly #failures = new Map<string, number>();
  readonly #histogram = newHistogram();
  readonly #ok = new Uint8Array(STATUS_SLOTS);

  // ---- aggregation ----
  #bucketT: number;
  #phase: PhaseAccumulator;
  readonly #total: PhaseAccumulator;
  readonly #phases: LoadPhase[] = [];
  readonly #buckets: LoadBucket[] = [];
  readonly #live: LiveWindow | undefined;

  constructor(options: RecorderOptions) {
    if ((options.keepRecentMs ?? 0) > 0) this.#live = new LiveWindow(options.keepRecentMs!);
    for (const s of expandStatuses(options.okStatus)) if (s >= 0 && s < STATUS_SLOTS) this.#ok[s] = 1;
    this.#bucketT = options.startT;
    this.#phase = accumulator(options.phase ?? 'baseline', options.startT);
    this.#total = accumulator(options.phase ?? 'baseline', options.startT);
  }

  /** A response with `status`, `latencyMs` after the request's (intended) send time. */
  response(status: number, latencyMs: number): void {
    this.#requests++;
    const slot = status >= 0 && status < STATUS_SLOTS ? status : STATUS_SLOTS - 1;
    this.#statuses[slot]!++;
    if (this.#ok[slot] === 0) this.#errors++;
    this.#histogram.recordValue(toMicros(latencyMs));
  }

  /** A request that got no response: `code` is the error code (ECONNREFUSED, timeout, …); `latencyMs` how long it took to fail, when known. */
  failure(code: string, latencyMs?: number): void {
    this.#requests++;
    this.#errors++;
    this.#failures.set(code, (this.#failures.get(code) ?? 0) + 1);
    if (latencyMs !== undefined) this.#histogram.recordValue(toMicros(latencyMs));
  }

  /** A request given up without an outcome, `ageMs` after its (intended) send time: an error, counted by `why`, not in rps. */
  unanswered(why: Unanswered, ageMs: number): void {
    this.failure(why, ageMs);
    this.#unanswered++;
  }

  /** Requests and errors so far (closed buckets plus the open one). */
  get requests(): number {
    return this.#total.requests + this.#phase.requests + this.#requests;
  }

  get errors(): number {
    return this.#total.errors + this.#phase.errors + this.#errors;
  }

  get phase(): PhaseName {
    return this.#phase.phase;
  }

  /** Figures of the last `windowMs` before run time `now`, counting outstanding requests at their age (needs `keepRecentMs`). */
  recent(windowMs: number, now: number, outstandingAgesMs: readonly number[]): WindowFigures {
    const open = { startT: this.#bucketT, requests: this.#requests, errors: this.#errors, histogram: this.#histogram };
    return (this.#live ?? new LiveWindow(0)).figures(windowMs, now, open, outstandingAgesMs);
  }

  /** Takes the open bucket's figures so far (and empties it), for another thread's recorder to `absorb`. */
  takeSlice(): LoadSlice {
    const statuses: [number, number][] = [];
    for (let s = 0; s < STATUS_SLOTS; s++) {
      const n = this.#statuses[s]!;
      if (n === 0) continue;
      statuses.push([s, n]);
      this.#statuses[s] = 0;
    }
    const slice: LoadSlice = { requests: this.#requests, errors: this.#errors, unanswered: this.#unanswered, statuses, failures: [...this.#failures], histogram: encodeHistogram(this.#histogram) };
    this.#failures.clear();
    this.#histogram.reset();
    this.#requests = this.#errors = this.#unanswered = 0;
    return slice;
  }

  /** Adds a slice another recorder took into the open bucket: counters summed, histogram added (exact). */
  absorb(slice: LoadSlice): void {
    this.#requests += slice.requests;
    this.#errors += slice.errors;
    this.#unanswered += slice.unanswered;
    for (const [s, n] of slice.statuses) this.#statuses[s]! += n;
    for (const [code, n] of slice.failures) this.#failures.set(code, (this.#failures.get(code) ?? 0) + n);
    if (slice.histogram !== null) addEncoded(this.#histogram, slice.histogram);
  }

  /** Closes the current bucket at run time `t` and starts the next. Returns the closed bucket (none when it was empty and zero-length). */
  rotate(t: number): LoadBucket | undefined {
    const durationMs = Math.max(0, t - this.#bucketT);
    const h = this.#histogram;
    const bucket: LoadBucket = {
      t: round(this.#bucketT),
      durationMs: round(durationMs),
      requests: this.#requests,
      errors: this.#errors,
      latencyMs: null,
    };
    const figures = latencyFigures(h);
    if (figures) bucket.latencyMs = { p50: figures.p50, p95: figures.p95, p99: figures.p99, max: figures.max };

    const p = this.#phase;
    p.requests += this.#requests;
    p.errors += this.#errors;
    p.unanswered += this.#unanswered;
    for (let s = 0; s < STATUS_SLOTS; s++) {
      const n = this.#statuses[s]!;
      if (n === 0) continue;
      const key = s === STATUS_SLOTS - 1 ? 'other' : String(s);
      p.statusCodes.set(key, (p.statusCodes.get(key) ?? 0) + n);
      this.#statuses[s] = 0;
    }
    for (const [code, n] of this.#failures) p.statusCodes.set(code, (p.statusCodes.get(code) ?? 0) + n);
    this.#failures.clear();
    this.#live?.keep(t, this.#requests, this.#errors, h);
    if (h.totalCount > 0) {
      p.histogram.add(h);
      h.reset();
    }
    this.#requests = 0;
    this.#errors = 0;
    this.#unanswered = 0;
    this.#bucketT = t;
    if (durationMs === 0 && bucket.requests === 0) return undefined;
    this.#buckets.push(bucket);
    return bucket;
  }

  /** Ends the current phase (and bucket) at `t` and starts `phase`; returns the bucket it closed. A mark of the current phase does nothing. */
  mark(phase: PhaseName, t: number): LoadBucket | undefined {
    if (phase === this.#phase.phase) return undefined;
    const bucket = this.rotate(t);
    this.#closePhase(t);
    this.#phase = accumulator(phase, t);
    return bucket;
  }

  /** Closes everything at `t`: the figures per phase (in order) and the time series. */
  finish(t: number): { phases: LoadPhase[]; buckets: LoadBucket[]; total: Omit<LoadPhase, 'phase'> } {
    this.rotate(t);
    this.#closePhase(t);
    this.#phase = accumulator(this.#phase.phase, t);
    const { phase: _phase, ...total } = toPhase(this.#total, t);
    return { phases: [...this.#phases], buckets: [...this.#buckets], total };
  }

  #closePhase(t: number): void {
    const p = this.#phase;
    this.#phases.push(toPhase(p, t));
    const total = this.#total;
    total.requests += p.requests;
    total.errors += p.errors;
    total.unanswered += p.unanswered;
    for (const [k, n] of p.statusCodes) total.statusCodes.set(k, (total.statusCodes.get(k) ?? 0) + n);
    if (p.histogram.totalCount > 0) total.histogram.add(p.histogram);
  }
}

function accumulator(phase: PhaseName, startT: number): PhaseAccumulator {
  return { phase, startT, requests: 0, errors: 0, unanswered: 0, statusCodes: new Map(), histogram: newHistogram() };
}

function toPhase(p: PhaseAccumulator, endT: number): LoadPhase {
  const seconds = (endT - p.startT) / 1000;
  const errorRate = p.requests > 0 ? p.errors / p.requests : null;
  return {
    phase: p.phase,
    startT: round(p.startT),
    endT: round(endT),
    requests: p.requests,
    errors: p.errors,
    rps: seconds > 0 ? round((p.requests - p.unanswered) / seconds) : 0,
    errorRate,
    availability: errorRate === null ? null : 1 - errorRate,
    latencyMs: latencyFigures(p.histogram),
    statusCodes: Object.fromEntries([...p.statusCodes].sort(([a], [b]) => a.localeCompare(b))),
  };
}

/** Run times and rates to 0.1 ms / 0.1 rps: enough, and the journal stays readable. */
function round(n: number): number {
  return Math.round(n * 10) / 10;
}
