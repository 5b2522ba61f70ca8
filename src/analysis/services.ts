/**
 * Per service: the journal's recovery figures as recorded (never recomputed), plus availability of
 * its health probes in each phase of the run.
 */
import type { Journal, PhaseAvailability, ServiceAnalysis } from '../journal/types.js';
import { availability } from '../observe/recovery.js';
import { appliedFaults, bySeries, observationEnd, SERVICE_PREFIX, watchedServices } from './samples.js';

export function analyzeServices(journal: Journal): ServiceAnalysis[] {
  const series = bySeries(journal.timeSeries);
  const applied = appliedFaults(journal);
  const chaosStart = applied.length > 0 ? Math.min(...applied.map((f) => f.injectedT)) : undefined;
  const end = observationEnd(journal);
  return watchedServices(journal).map((service) => {
    const samples = series.get(`${SERVICE_PREFIX}${service}`) ?? [];
    const recorded = journal.recovery.find((r) => r.service === service);
    const node = journal.system?.services[service];
    const result: ServiceAnalysis = {
      service,
      critical: node?.critical ?? false,
      dependsOn: node?.dependsOn ?? [],
      targeted: applied.some((f) => f.service === service),
      impacted: recorded?.impacted ?? false,
      timeToImpactMs: recorded?.timeToImpactMs ?? null,
      timeToRecoverMs: recorded?.timeToRecoverMs ?? null,
      outageMs: recorded?.outageMs ?? null,
      failedProbes: recorded?.failedProbes ?? 0,
      restarts: recorded?.restarts ?? 0,
      availability: phaseAvailability(journal, samples),
      availabilityUnderChaos: chaosStart === undefined ? null : availability(samples, chaosStart, end),
    };
    if (recorded?.expectedWithinMs !== undefined) result.expectedWithinMs = recorded.expectedWithinMs;
    if (recorded?.met !== undefined) result.met = recorded.met;
    if (recorded?.notMeasured) result.notMeasured = recorded.notMeasured;
    return result;
  });
}

/** Phases are contiguous; a sample belongs to the phase in which its probe started ([start, end)). */
function phaseAvailability(journal: Journal, samples: Journal['timeSeries']): PhaseAvailability[] {
  const out: PhaseAvailability[] = [];
  journal.phases.forEach((p, i) => {
    const last = i === journal.phases.length - 1;
    const inPhase = samples.filter((s) => s.t >= p.startT && (s.t < p.endT || (last && s.t <= p.endT)));
    if (inPhase.length === 0) return;
    const ok = inPhase.filter((s) => s.ok).length;
    out.push({ phase: p.phase, startT: p.startT, endT: p.endT, samples: inPhase.length, ok, availability: ok / inPhase.length });
  });
  return out;
}
