/**
 * The load's last few seconds, for guardrails that must trip while a fault is active: closed
 * buckets are kept (counters plus a copy of their latency histogram) for as long as the longest
 * guardrail window, and `figures()` folds them with the open bucket and the requests still
 * outstanding. Off the hot path: `keep` runs once per bucket, `figures` when a guardrail asks.
 */
import { newHistogram, toMicros, type Histogram } from './histogram.js';

export interface WindowFigures {
  /** Completed requests (responses and failures) in the window. */
  requests: number;
  errors: number;
  /**
   * 95th percentile in ms of the window's completed requests together with the ones still
   * outstanding, each counted at its age so far: a stall shows while it lasts, not when it ends.
   */
  p95Ms: number | null;
}

/** The open bucket as the recorder holds it. */
export interface OpenBucket {
  startT: number;
  requests: number;
  errors: number;
  histogram: Histogram;
}

interface KeptBucket {
  endT: number;
  requests: number;
  errors: number;
  histogram: Histogram | undefined;
}

export class LiveWindow {
  readonly #keepMs: number;
  readonly #buckets: KeptBucket[] = [];

  constructor(keepMs: number) {
    this.#keepMs = keepMs;
  }

  /** A bucket closed at `endT`: keep its figures (copied: the recorder reuses its histogram). */
  keep(endT: number, requests: number, errors: number, histogram: Histogram): void {
    let copy: Histogram | undefined;
    if (histogram.totalCount > 0) {
      copy = newHistogram();
      copy.add(histogram);
    }
    this.#buckets.push({ endT, requests, errors, histogram: copy });
    const horizon = endT - this.#keepMs;
    while (this.#buckets.length > 0 && this.#buckets[0]!.endT < horizon) this.#buckets.shift();
  }

  /** Figures over (now - windowMs, now]: the buckets that ended inside it, the open one, and the outstanding ages (ms). */
  figures(windowMs: number, now: number, open: OpenBucket, outstandingAgesMs: readonly number[]): WindowFigures {
    const from = now - windowMs;
    let requests = open.requests;
    let errors = open.errors;
    const merged = newHistogram();
    if (open.histogram.totalCount > 0) merged.add(open.histogram);
    for (const b of this.#buckets) {
      if (b.endT <= from) continue;
      requests += b.requests;
      errors += b.errors;
      if (b.histogram) merged.add(b.histogram);
    }
    for (const age of outstandingAgesMs) merged.recordValue(toMicros(age));
    return { requests, errors, p95Ms: merged.totalCount > 0 ? Math.round(merged.getValueAtPercentile(95)) / 1000 : null };
  }
}
