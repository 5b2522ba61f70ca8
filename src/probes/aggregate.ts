/** How several series' values combine into one, for the metrics and the prometheus probes. */
import type { MetricsAggregate } from './types.js';

/** `count`: how many; the others undefined when there is nothing to combine. */
export function aggregate(how: MetricsAggregate, values: number[]): number | undefined {
  if (how === 'count') return values.length;
  if (values.length === 0) return undefined;
  switch (how) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
  }
}
