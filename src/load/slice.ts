/**
 * A slice of a recorder's open bucket, moved between threads: the counters as they are and the
 * latency histogram in HDR's own lossless encoding, so the main thread adds a worker's figures to
 * its own exactly (histogram add, counters summed) and the merged percentiles are the ones a
 * single recorder that saw every request would give.
 */
import { hdr, type Histogram } from './histogram.js';

export interface LoadSlice {
  requests: number;
  errors: number;
  /** Of `requests`, those that never completed (cut off, never sent). */
  unanswered: number;
  /** [status slot, count] for the slots that are not zero. */
  statuses: [number, number][];
  /** [error code, count]. */
  failures: [string, number][];
  /** The slice's latency histogram (HDR compressed base64), or null when it holds nothing. */
  histogram: string | null;
}

export function encodeHistogram(h: Histogram): string | null {
  return h.totalCount > 0 ? hdr().encodeIntoCompressedBase64(h) : null;
}

/** Adds an encoded histogram's counts into `into`. */
export function addEncoded(into: Histogram, encoded: string): void {
  const h = hdr().decodeFromCompressedBase64(encoded);
  into.add(h);
  h.destroy();
}
