/**
 * The resilience score (0-100) and maturity level (1-5). Each figure carries a one-line
 * explanation with its numbers; docs/reports.md states the formulas.
 *
 *   recovery    (35%)  mean over impacted services of 100 × max(0, 1 − timeToRecover ÷ (2 × expected)),
 *                      expected = the recovery expectation's `within`, else 30 s; never recovered → 0.
 *   isolation   (20%)  share of services no fault targeted that stayed healthy (critical ones count double).
 *   degradation (30%)  what clients got from the first fault on: load availability × a latency factor
 *                      (min(1, 2 × baseline p99 ÷ p99), at least 0.5); without load, the ok share of
 *                      the hypothesis probes (else of the health probes).
 *   safety      (15%)  100 minus: 60 if a fault was left in place, 30 if the run aborted, 10 per failed
 *                      rollback (at most 20), 15 per critical service hit that no fault targeted (at most 30).
 *
 * The total is the weighted mean of the sub-scores that apply (weights renormalised).
 */
import type { Cascade, Journal, LoadPhase, Maturity, ResilienceScore, ServiceAnalysis, SubScore } from '../journal/types.js';
import { formatDuration } from '../util/duration.js';
import { appliedFaults, bySeries, observationEnd, percent, PROBE_PREFIX, SERVICE_PREFIX } from './samples.js';

export const WEIGHTS = { recovery: 0.35, isolation: 0.2, degradation: 0.3, safety: 0.15 } as const;
/** Without a recovery expectation, recovery is judged against the runner's default wait. */
export const DEFAULT_RECOVERY_REFERENCE_MS = 30_000;

export function scoreRun(journal: Journal, services: ServiceAnalysis[], cascades: Cascade[]): ResilienceScore {
  const faulted = appliedFaults(journal).length > 0;
  const recovery = recoveryScore(services, faulted);
  const isolation = isolationScore(services, faulted);
  const degradation = degradationScore(journal, faulted);
  const safety = safetyScore(journal, services);
  const parts = { recovery, isolation, degradation, safety };
  if (!faulted) {
    return { total: null, explanation: 'no fault was applied, so there is nothing to score', ...parts };
  }
  const applicable = Object.entries(parts).filter(([, p]) => p.score !== null);
  const weight = applicable.reduce((sum, [, p]) => sum + p.weight, 0);
  const total = Math.round(applicable.reduce((sum, [, p]) => sum + p.score! * p.weight, 0) / weight);
  const terms = applicable.map(([name, p]) => `${name} ${p.score}×${Math.round((p.weight / weight) * 100)}%`).join(' + ');
  const unexplained = cascades.flatMap((c) => c.unexplained);
  return {
    total,
    explanation: `weighted mean: ${terms}${applicable.length < 4 ? ' (sub-scores that do not apply are left out)' : ''}${unexplained.length ? `; note: propagation to ${[...new Set(unexplained)].join(', ')} is not explained by dependsOn` : ''}`,
    ...parts,
  };
}

function recoveryScore(services: ServiceAnalysis[], faulted: boolean): SubScore {
  const weight = WEIGHTS.recovery;
  if (!faulted) return { score: null, weight, explanation: 'no fault was applied' };
  const impacted = services.filter((s) => s.impacted);
  if (impacted.length === 0) return { score: 100, weight, explanation: 'no service was impacted, so nothing had to recover' };
  // An aborted run may end before a service is seen recovering: that is no score, not a zero.
  const measured = impacted.filter((s) => !s.notMeasured);
  if (measured.length === 0) return { score: null, weight, explanation: `recovery not measured: the run was aborted before ${list(impacted.map((s) => s.service))} ${impacted.length > 1 ? 'were' : 'was'} seen recovering` };
  const each = measured.map((s) => {
    const expected = s.expectedWithinMs ?? DEFAULT_RECOVERY_REFERENCE_MS;
    const score = s.timeToRecoverMs === null ? 0 : 100 * Math.max(0, 1 - s.timeToRecoverMs / (2 * expected));
    const what = s.timeToRecoverMs === null ? 'did not recover' : `${formatDuration(s.timeToRecoverMs)} of ${formatDuration(expected)}${s.expectedWithinMs === undefined ? ' (default)' : ''}`;
    return { text: `${s.service} ${what} → ${Math.round(score)}`, score };
  });
  const score = Math.round(each.reduce((sum, e) => sum + e.score, 0) / each.length);
  return { score, weight, explanation: `mean of 100 × (1 − time to recover ÷ (2 × expected)) over ${measured.length} impacted service${measured.length > 1 ? 's' : ''}: ${list(each.map((e) => e.text))}` };
}

function isolationScore(services: ServiceAnalysis[], faulted: boolean): SubScore {
  const weight = WEIGHTS.isolation;
  if (!faulted) return { score: null, weight, explanation: 'no fault was applied' };
  const bystanders = services.filter((s) => !s.targeted);
  if (bystanders.length === 0) return { score: null, weight, explanation: 'every watched service was targeted, so there was nothing to isolate' };
  const w = (s: ServiceAnalysis) => (s.critical ? 2 : 1);
  const total = bystanders.reduce((sum, s) => sum + w(s), 0);
  const healthy = bystanders.filter((s) => !s.impacted);
  const score = Math.round((100 * healthy.reduce((sum, s) => sum + w(s), 0)) / total);
  const hit = bystanders.filter((s) => s.impacted).map((s) => s.service + (s.critical ? ' (critical)' : ''));
  return {
    score,
    weight,
    explanation: `${healthy.length} of ${bystanders.length} service${bystanders.length > 1 ? 's' : ''} no fault targeted stayed healthy (critical ones count double)${hit.length ? `; hit: ${list(hit)}` : ''}`,
  };
}

function degradationScore(journal: Journal, faulted: boolean): SubScore {
  const weight = WEIGHTS.degradation;
  if (!faulted) return { score: null, weight, explanation: 'no fault was applied' };
  const load = journal.load?.phases ?? [];
  const during = load.filter((p) => (p.phase === 'chaos' || p.phase === 'recovery') && p.requests > 0);
  if (during.length > 0) {
    const requests = during.reduce((sum, p) => sum + p.requests, 0);
    const errors = during.reduce((sum, p) => sum + p.errors, 0);
    const avail = 1 - errors / requests;
    const { factor, text } = latencyFactor(load.find((p) => p.phase === 'baseline'), during);
    return {
      score: Math.round(100 * avail * factor),
      weight,
      explanation: `load from the first fault on: ${percent(avail, 2)} of ${requests} requests succeeded × latency factor ${factor.toFixed(2)} (${text})`,
    };
  }
  const start = Math.min(...appliedFaults(journal).map((f) => f.injectedT));
  const end = observationEnd(journal);
  const series = bySeries(journal.timeSeries.filter((s) => s.t >= start && s.t <= end));
  const probes = [...series.entries()].filter(([name]) => name.startsWith(PROBE_PREFIX));
  const chosen = probes.length > 0 ? probes : [...series.entries()].filter(([name]) => name.startsWith(SERVICE_PREFIX));
  const samples = chosen.flatMap(([, s]) => s);
  if (samples.length === 0) return { score: null, weight, explanation: 'no load and no probe samples after the first fault' };
  const ok = samples.filter((s) => s.ok).length;
  const source = probes.length > 0 ? 'hypothesis probe' : 'health probe';
  return { score: Math.round((100 * ok) / samples.length), weight, explanation: `no load: ${ok} of ${samples.length} ${source} samples from the first fault on were ok` };
}

function latencyFactor(baseline: LoadPhase | undefined, during: LoadPhase[]): { factor: number; text: string } {
  const worst = Math.max(...during.map((p) => p.latencyMs?.p99 ?? 0));
  const base = baseline?.latencyMs?.p99;
  if (!base || !worst) return { factor: 1, text: 'no baseline latency to compare with' };
  const factor = Math.min(1, Math.max(0.5, (2 * base) / worst));
  return { factor, text: `p99 ${formatDuration(worst)} vs ${formatDuration(base)} at baseline` };
}

function safetyScore(journal: Journal, services: ServiceAnalysis[]): SubScore {
  const weight = WEIGHTS.safety;
  const deductions: string[] = [];
  let score = 100;
  const left = journal.faults.filter((f) => f.status === 'revert-failed' || f.status === 'active');
  if (left.length > 0) {
    score -= 60;
    deductions.push(`60 (${left.length} fault${left.length > 1 ? 's' : ''} left in place)`);
  }
  if (journal.status === 'aborted') {
    score -= 30;
    deductions.push(`30 (aborted: ${journal.reasons[0] ?? 'no reason recorded'})`);
  }
  const failedRollbacks = journal.rollbacks.filter((r) => !r.ok).length;
  if (failedRollbacks > 0) {
    score -= Math.min(20, 10 * failedRollbacks);
    deductions.push(`${Math.min(20, 10 * failedRollbacks)} (${failedRollbacks} failed rollback${failedRollbacks > 1 ? 's' : ''})`);
  }
  const critical = services.filter((s) => s.critical && !s.targeted && s.impacted);
  if (critical.length > 0) {
    score -= Math.min(30, 15 * critical.length);
    deductions.push(`${Math.min(30, 15 * critical.length)} (critical ${critical.map((s) => s.service).join(', ')} hit without being targeted)`);
  }
  score = Math.max(0, score);
  return { score, weight, explanation: deductions.length ? `100 − ${deductions.join(' − ')}` : 'every fault reverted, no abort, rollbacks ok, no critical service hit by a fault aimed elsewhere' };
}

const LEVELS = ['fragile', 'recovers', 'recovers in time', 'contains failure', 'resilient'] as const;

/**
 * A ladder: each level needs the one below.
 * 2 recovers: nothing left in place, no abort, every impacted service healthy again on its own.
 * 3 recovers in time: every recovery expectation met, recovery ≥ 60, the steady state holds after.
 * 4 contains failure: isolation ≥ 80 (or not applicable), no unexplained propagation, degradation ≥ 80.
 * 5 resilient: the hypothesis held (every check passed), degradation ≥ 95, total ≥ 90.
 */
export function maturityOf(journal: Journal, services: ServiceAnalysis[], cascades: Cascade[], score: ResilienceScore): Maturity {
  if (appliedFaults(journal).length === 0) return { level: 1, name: LEVELS[0], explanation: 'not rated: no fault was applied in this run' };
  const sc = (s: SubScore) => s.score ?? 100;
  const impacted = services.filter((s) => s.impacted);
  const rungs: { miss: () => string | undefined }[] = [
    {
      miss: () => {
        if (journal.faults.some((f) => f.status === 'revert-failed' || f.status === 'active')) return 'a fault was left in place';
        if (journal.status === 'aborted') return 'the run aborted';
        const stuck = impacted.filter((s) => s.timeToRecoverMs === null).map((s) => s.service);
        return stuck.length ? `${list(stuck)} did not recover` : undefined;
      },
    },
    {
      miss: () => {
        const missed = services.filter((s) => s.met === false).map((s) => s.service);
        if (missed.length) return `${list(missed)} missed the recovery expectation`;
        if (sc(score.recovery) < 60) return `recovery score ${score.recovery.score} < 60`;
        if (journal.steadyState.after.some((c) => !c.ok)) return 'the steady state did not hold after the run';
        return undefined;
      },
    },
    {
      miss: () => {
        if (sc(score.isolation) < 80) return `isolation ${score.isolation.score} < 80`;
        const unexplained = [...new Set(cascades.flatMap((c) => c.unexplained))];
        if (unexplained.length) return `propagation to ${list(unexplained)} is not explained by dependsOn`;
        if (sc(score.degradation) < 80) return `degradation ${score.degradation.score} < 80`;
        return undefined;
      },
    },
    {
      miss: () => {
        const failed = journal.verdicts.filter((v) => !v.ok).map((v) => v.name);
        if (journal.status !== 'held' || failed.length) return `the hypothesis did not hold${failed.length ? ` (${list(failed)})` : ''}`;
        if (sc(score.degradation) < 95) return `degradation ${score.degradation.score} < 95`;
        if ((score.total ?? 0) < 90) return `total score ${score.total} < 90`;
        return undefined;
      },
    },
  ];
  let level = 1;
  let blocker: string | undefined;
  for (const rung of rungs) {
    blocker = rung.miss();
    if (blocker) break;
    level++;
  }
  const name = LEVELS[level - 1]!;
  const why = level === 5 ? 'every criterion of levels 2-5 is met' : `level ${level + 1} (${LEVELS[level]}) needs more: ${blocker}`;
  return { level: level as Maturity['level'], name, explanation: `level ${level} (${name}): ${why}` };
}

function list(items: string[], max = 3): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
