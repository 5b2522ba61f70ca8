/**
 * Recovery analysis over the samples of ONE series (one service's health probe). Pure functions:
 * the same samples always give the same numbers, so a report can be re-derived from its journal.
 *
 * Definitions (all times in ms on the run's monotonic clock; a sample's t is its probe's START):
 *
 * - window         samples that saw the fault (`sawWindow`: still running at faultStart, or
 *                  started after it) with t <= deadline (deadline: end of observation, default
 *                  unbounded). A probe that ended before faultStart was not failed by the fault;
 *                  one in flight at faultStart may have been (a dependency killed while it
 *                  waited). The cascade analysis uses the same rule, so a cascade step is always
 *                  an impacted service.
 * - impactAt       max(t, faultStart) of the first failed sample in the window; impacted = there is one.
 * - timeToImpactMs impactAt - faultStart (0 for a probe in flight at the fault).
 * - recoveredAt    t of the FIRST sample of the first run of `sustained` consecutive ok samples
 *                  after the last failed sample in the window. Flapping (healthy, failing,
 *                  healthy) therefore counts from the final failure. null when impacted but the
 *                  window ends before `sustained` ok samples follow the last failure.
 * - timeToRecoverMs max(0, recoveredAt - faultEnd). faultEnd is when the fault stopped acting:
 *                  its revert time, or its injection time for instant faults such as kill. 0 means
 *                  the service was healthy again before the fault ended.
 * - outageMs       recoveredAt - impactAt: how long the series looked unhealthy.
 * - failedSamples  failed samples in the window.
 *
 * Precision: the real recovery happened after the start of the last failed probe and by the start
 * of the first healthy one, so recoveredAt is late by at most one probe interval (likewise, impact
 * is detected at most one interval late).
 */
import type { Sample } from './time-series.js';

export interface RecoveryWindow {
  faultStart: number;
  faultEnd: number;
  /** Consecutive ok samples that count as recovered (>= 1). */
  sustained: number;
  /** End of observation: samples after it are ignored. */
  deadline?: number;
}

export interface RecoveryAnalysis {
  impacted: boolean;
  impactAt: number | null;
  timeToImpactMs: number | null;
  recoveredAt: number | null;
  timeToRecoverMs: number | null;
  outageMs: number | null;
  failedSamples: number;
}

type Point = Pick<Sample, 't' | 'ok'> & { latencyMs?: number };

/** The one impact rule: a probe saw a fault window starting at `start` when it was still running then, or started later. */
export function sawWindow(sample: Point, start: number): boolean {
  return sample.t + (sample.latencyMs ?? 0) >= start;
}

export function analyzeRecovery(samples: readonly Point[], window: RecoveryWindow): RecoveryAnalysis {
  const { faultStart, faultEnd, deadline = Infinity } = window;
  const sustained = Math.max(1, window.sustained);
  const ordered = inTimeOrder(samples);
  let impactAt: number | null = null;
  let lastFailure = -1;
  let last = -1;
  let failedSamples = 0;
  for (let i = 0; i < ordered.length; i++) {
    const s = ordered[i]!;
    if (!sawWindow(s, faultStart)) continue;
    if (s.t > deadline) break;
    last = i;
    if (s.ok) continue;
    failedSamples++;
    impactAt ??= Math.max(s.t, faultStart);
    lastFailure = i;
  }
  if (impactAt === null) {
    return { impacted: false, impactAt: null, timeToImpactMs: null, recoveredAt: null, timeToRecoverMs: null, outageMs: null, failedSamples };
  }
  // Every sample after the last failure is ok, so it is enough to count them.
  const recoveredAt = last - lastFailure >= sustained ? healthyFrom(ordered[lastFailure + 1]!) : null;
  return {
    impacted: true,
    impactAt,
    timeToImpactMs: impactAt - faultStart,
    recoveredAt,
    timeToRecoverMs: recoveredAt === null ? null : Math.max(0, recoveredAt - faultEnd),
    outageMs: recoveredAt === null ? null : recoveredAt - impactAt,
    failedSamples,
  };
}

/**
 * When the probe that ends an outage shows the service answering: when its answer came. A probe
 * sent into an outage can be held rather than refused — by a paused process until the revert, by
 * Docker's userland proxy until the container is back (seen: a probe sent 0.6 s before a
 * container's restart answered 200 just after it) — so its start proves nothing; its answer does.
 * The cost is one probe latency (milliseconds) on a recovery that did not wait.
 */
function healthyFrom(sample: Point): number {
  return sample.t + (sample.latencyMs ?? 0);
}

/** t of the first sample (at or after `from`) that starts a run of `sustained` consecutive ok samples, or null. */
export function firstSustainedHealthy(samples: readonly Point[], from: number, sustained: number): number | null {
  const need = Math.max(1, sustained);
  let runStart: number | null = null;
  let run = 0;
  for (const s of inTimeOrder(samples)) {
    if (s.t < from) continue;
    if (!s.ok) {
      run = 0;
      continue;
    }
    if (run++ === 0) runStart = s.t;
    if (run >= need) return runStart;
  }
  return null;
}

/**
 * Whether the series, from `from` on, ends in at least `sustained` consecutive ok samples: what
 * analyzeRecovery counts as recovered (ok samples after the LAST failure). A wait that stopped at
 * the first healthy run instead would stop on a service that fails again later (a rollback that
 * restarts it), and the analysis would then find it never recovered.
 */
export function endsHealthy(samples: readonly Point[], from: number, sustained: number): boolean {
  const ordered = inTimeOrder(samples);
  let run = 0;
  for (let i = ordered.length - 1; i >= 0 && ordered[i]!.t >= from && ordered[i]!.ok; i--) run++;
  return run >= Math.max(1, sustained);
}

/** Share (0..1) of ok samples with from <= t <= to, or null when there are none. */
export function availability(samples: readonly Point[], from: number, to: number): number | null {
  let total = 0;
  let ok = 0;
  for (const s of samples) {
    if (s.t < from || s.t > to) continue;
    total++;
    if (s.ok) ok++;
  }
  return total === 0 ? null : ok / total;
}

function inTimeOrder<T extends Point>(samples: readonly T[]): readonly T[] {
  for (let i = 1; i < samples.length; i++) {
    if (samples[i]!.t < samples[i - 1]!.t) return [...samples].sort((a, b) => a.t - b.t);
  }
  return samples;
}
