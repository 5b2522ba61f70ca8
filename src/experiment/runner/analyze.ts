/**
 * Recovery analysis for one run, from its recorded time series and fault windows only, so every
 * figure can be re-derived from journal.json. Definitions (docs/measurement.md):
 * - a service's fault window is that of the faults that targeted it directly; a service hit
 *   only through a dependency uses the run's whole chaos window (first injection to last fault end);
 * - impact: the first failed health probe that saw the window (src/observe/recovery.ts
 *   `sawWindow`: still running at its start counts — the cascade analysis uses the same rule);
 *   time to impact: window start → that failure (0 for a probe in flight at the start);
 * - time to recover: window end (revert, or injection for single actions such as kill) → the
 *   first probe of the first run of `sustained` consecutive healthy probes after the last failure;
 * - an aborted run watches recovery only briefly: a service not seen recovering before that watch
 *   ended (and before the normal deadline) is `notMeasured: 'aborted'`, never "did not recover".
 */
import type { CheckResult, FaultRecord, Sample, ServiceEvent, ServiceRecovery } from '../../journal/types.js';
import { applied, faultWindow } from '../../analysis/fault-window.js';
import { analyzeRecovery } from '../../observe/recovery.js';
import { formatDuration } from '../../util/duration.js';
import type { RecoveryExpectation } from '../schema/experiment.js';

export interface RecoveryInput {
  services: string[];
  samples: Sample[];
  faults: FaultRecord[];
  events: ServiceEvent[];
  sustained: number;
  expectation?: RecoveryExpectation;
  /** The run was aborted: its recovery watch ended at `until`, before its normal `deadline`. */
  aborted?: { until: number; deadline: number };
}

export function analyzeServices(input: RecoveryInput): ServiceRecovery[] {
  const runWindow = faultWindow(input.faults);
  if (!runWindow) return [];
  const scope = new Set(input.expectation?.services ?? input.services);
  return input.services.map((service) => {
    const own = applied(input.faults).filter((f) => f.service === service);
    const window = faultWindow(own) ?? runWindow;
    const samples = input.samples.filter((s) => s.series === `service:${service}`);
    const r = analyzeRecovery(samples, { faultStart: window.start, faultEnd: window.end, sustained: input.sustained });
    const restartEvents = input.events.filter((e) => e.service === service && e.type === 'spawn' && e.restart && e.t >= window.start);
    const restarts = restartEvents.length;
    const firstRestart = restartEvents.reduce<number | undefined>((min, e) => (min === undefined || e.t < min ? e.t : min), undefined);
    const ready = firstRestart === undefined ? undefined : input.events.filter((e) => e.service === service && e.type === 'ready' && e.t >= firstRestart).reduce<number | undefined>((min, e) => (min === undefined || e.t < min ? e.t : min), undefined);
    const record: ServiceRecovery = {
      service,
      faultIds: own.map((f) => f.id),
      impacted: r.impacted,
      timeToImpactMs: r.timeToImpactMs,
      timeToRecoverMs: r.timeToRecoverMs,
      outageMs: r.outageMs,
      impactT: r.impactAt,
      recoveredT: r.recoveredAt,
      failedProbes: r.failedSamples,
      restarts,
      ...(firstRestart !== undefined ? { timeToRestartMs: firstRestart - window.start } : {}),
      ...(ready !== undefined ? { timeToReadyMs: ready - window.start } : {}),
    };
    const cutShort = input.aborted !== undefined && input.aborted.until < input.aborted.deadline;
    if (r.impacted && r.timeToRecoverMs === null && cutShort) record.notMeasured = 'aborted';
    if (input.expectation && scope.has(service)) {
      record.expectedWithinMs = input.expectation.within;
      if (!record.notMeasured) record.met = !r.impacted || (r.timeToRecoverMs !== null && r.timeToRecoverMs <= input.expectation.within);
    }
    return record;
  });
}

export function recoveryChecks(recovery: ServiceRecovery[], sustained: number, now: number): CheckResult[] {
  return recovery
    .filter((r) => r.expectedWithinMs !== undefined)
    .map((r) => ({
      name: `${r.service} recovers within ${formatDuration(r.expectedWithinMs!)}`,
      kind: 'recovery' as const,
      ok: r.met === true,
      observed: !r.impacted
        ? 'not impacted'
        : r.notMeasured
          ? 'not measured (the run was aborted before it was seen recovering)'
          : r.timeToRecoverMs === null
          ? `did not recover (${r.failedProbes} failed probes)`
          : `recovered ${formatDuration(r.timeToRecoverMs)} after the fault`,
      expected: `healthy for ${sustained} consecutive probes within ${formatDuration(r.expectedWithinMs!)}`,
      t: now,
    }));
}
