/**
 * Latency histograms: HDR histograms of microseconds (3 significant digits, so every percentile is
 * within 0.1% of the recorded value), read back in milliseconds.
 */
import { createRequire } from 'node:module';
import type * as Hdr from 'hdr-histogram-js';

export type Histogram = Hdr.Histogram;

/**
 * hdr-histogram-js, loaded on first use (synchronously: it is CommonJS). It and pako are some 45
 * modules that every CLI start paid for, although only a run with load records latencies.
 */
let lib: typeof Hdr | undefined;
export function hdr(): typeof Hdr {
  return (lib ??= createRequire(import.meta.url)('hdr-histogram-js') as typeof Hdr);
}

export function newHistogram(): Histogram {
  return hdr().build({ bitBucketSize: 32, autoResize: true, lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
}

/** Milliseconds (run clock) to the histogram's unit. */
export function toMicros(ms: number): number {
  return ms <= 0 ? 0 : Math.round(ms * 1000);
}

function ms(micros: number): number {
  return Math.round(micros) / 1000;
}

export interface LatencyFigures {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Percentiles in ms, or null when nothing was recorded. */
export function latencyFigures(h: Histogram): LatencyFigures | null {
  if (h.totalCount === 0) return null;
  return {
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
    mean: Math.round(h.mean) / 1000,
  };
}
