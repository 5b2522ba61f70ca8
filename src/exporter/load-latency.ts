/**
 * The load's latency histogram from its 1 s windows. Reporters get each window's p50/p95/p99/max,
 * not each request, so the window's responses are counted at those points: half at p50, 45% at
 * p95, 4% at p99, 1% at max. histogram_quantile(0.5|0.95|0.99) over it then lands in the same
 * bucket as the exact figure; the shares in between are approximate (docs/observability.md).
 */
import type { Histogram } from 'prom-client';
import type { LoadBucket } from '../journal/types.js';

const SHARES = [
  ['p50', 0.5],
  ['p95', 0.45],
  ['p99', 0.04],
  ['max', 0.01],
] as const;

/** Observes `bucket`'s requests into `histogram` (seconds); a window without a latency adds nothing. */
export function observeLoadLatency(histogram: Histogram<'experiment'>, experiment: string, bucket: LoadBucket): void {
  const latency = bucket.latencyMs;
  if (!latency || bucket.requests <= 0) return;
  const counts = sharesOf(bucket.requests);
  for (const [i, [key]] of SHARES.entries()) {
    const seconds = latency[key] / 1000;
    for (let n = 0; n < counts[i]!; n++) histogram.observe({ experiment }, seconds);
  }
}

/** `total` split by SHARES in whole requests that add up to `total` (rounding goes to p50). */
export function sharesOf(total: number): number[] {
  const tail = SHARES.slice(1).map(([, share]) => Math.floor(total * share));
  return [total - tail.reduce((a, b) => a + b, 0), ...tail];
}
