/**
 * The bridge between the run's load and its errorRate/p95 guardrails: how much of the load's
 * recent past to keep, and a LiveLoad that reads it. Guardrails are evaluated on every sample and
 * on a timer; the figures are cached briefly so a burst of samples does not refold the window each time.
 */
import type { LoadRun } from '../../load/index.js';
import type { Guardrail, LiveLoad } from '../../safety/guardrails.js';

const CACHE_MS = 50;

/** The longest window of the load-reading guardrails (0 when there are none). */
export function loadGuardrailWindow(guards: readonly Guardrail[]): number {
  let longest = 0;
  for (const g of guards) {
    if ('errorRate' in g) longest = Math.max(longest, g.errorRate.window);
    if ('p95' in g) longest = Math.max(longest, g.p95.window);
  }
  return longest;
}

/** Live figures of a running load, or undefined when it has none (no load, or an external tool). */
export function liveLoadOf(load: LoadRun | undefined): LiveLoad | undefined {
  if (!load?.recent) return undefined;
  const cache = new Map<number, { at: number; figures: ReturnType<LiveLoad['recent']> }>();
  return {
    recent(windowMs) {
      const now = performance.now();
      const hit = cache.get(windowMs);
      if (hit && now - hit.at < CACHE_MS) return hit.figures;
      const figures = load.recent!(windowMs);
      cache.set(windowMs, { at: now, figures });
      return figures;
    },
  };
}
