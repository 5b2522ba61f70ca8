/**
 * Error budget used during the run. The objective is an availability (e.g. 0.999): the budget is
 * the share that may fail, 1 − objective. What failed during the run is counted from the load
 * (requests), else from the hypothesis probes, else from the health probes, over the whole
 * observed run. Reported two ways:
 * - burn rate: (bad ÷ total) ÷ (1 − objective); 1 spends the budget exactly at the sustainable pace;
 * - share of a 30-day budget: the run's failures as an equivalent full outage (bad fraction ×
 *   observed time) ÷ ((1 − objective) × 30 days).
 */
import type { ErrorBudget, Journal } from '../journal/types.js';
import { formatDuration } from '../util/duration.js';
import { bySeries, percent, PROBE_PREFIX, SERVICE_PREFIX } from './samples.js';

export const DEFAULT_OBJECTIVE = 0.999;
export const BUDGET_PERIOD_MS = 30 * 24 * 3_600_000;

export function errorBudget(journal: Journal): ErrorBudget | null {
  const counted = countBad(journal);
  if (!counted || counted.total === 0) return null;
  const { objective, source: objectiveSource } = objectiveOf(journal.experiment);
  const badFraction = counted.bad / counted.total;
  const allowed = 1 - objective;
  const burnRate = badFraction / allowed;
  const badMs = badFraction * counted.observedMs;
  const budgetMs = allowed * BUDGET_PERIOD_MS;
  const usedPercent = (100 * badMs) / budgetMs;
  const unit = counted.source === 'load' ? 'requests' : `${counted.source === 'probes' ? 'hypothesis' : 'health'} probe samples`;
  return {
    objective,
    objectiveSource,
    source: counted.source,
    total: counted.total,
    bad: counted.bad,
    badFraction,
    burnRate,
    badMs,
    periodMs: BUDGET_PERIOD_MS,
    budgetMs,
    usedPercent,
    explanation:
      `${counted.bad} of ${counted.total} ${unit} failed (${percent(badFraction, 2)}) against a ${percent(objective, objective >= 0.999 ? 2 : 1)} objective: ` +
      `burn rate ${burnRate.toFixed(1)}×; as downtime ${formatDuration(badMs)} = ${usedPercent.toFixed(3)}% of a 30-day budget of ${formatDuration(budgetMs)}`,
  };
}

function countBad(journal: Journal): { source: ErrorBudget['source']; total: number; bad: number; observedMs: number } | undefined {
  const phases = journal.load?.phases.filter((p) => p.requests > 0) ?? [];
  if (phases.length > 0) {
    return {
      source: 'load',
      total: phases.reduce((sum, p) => sum + p.requests, 0),
      bad: phases.reduce((sum, p) => sum + p.errors, 0),
      observedMs: phases.reduce((sum, p) => sum + Math.max(0, p.endT - p.startT), 0),
    };
  }
  const series = [...bySeries(journal.timeSeries).entries()];
  const probes = series.filter(([name]) => name.startsWith(PROBE_PREFIX));
  const chosen = probes.length > 0 ? probes : series.filter(([name]) => name.startsWith(SERVICE_PREFIX));
  const samples = chosen.flatMap(([, s]) => s);
  if (samples.length === 0) return undefined;
  const ts = samples.map((s) => s.t);
  return { source: probes.length > 0 ? 'probes' : 'health', total: samples.length, bad: samples.filter((s) => !s.ok).length, observedMs: Math.max(...ts) - Math.min(...ts) };
}

/**
 * The availability objective from the experiment's SLOs when one states an absolute one: an
 * `availability` minimum or an `errorRate` maximum, as the experiment schema parses them
 * (`{ metric: 'availability', op: '>=', value: 0.99 }`) or as written (`{ metric: availability,
 * min: 99% }`, `{ availability: 0.999 }`). Looked up under `slos`, `hypothesis.slos` and `slo`; the
 * strictest wins. SLOs relative to the baseline say nothing about an objective. Else 99.9%.
 */
export function objectiveOf(experiment: unknown): { objective: number; source: string } {
  const root = asRecord(experiment);
  const hypothesis = asRecord(root?.hypothesis);
  const candidates = [root?.slos, hypothesis?.slos, root?.slo, hypothesis?.slo].flatMap((x) => (Array.isArray(x) ? x : x === undefined ? [] : [x]));
  let best: { objective: number; source: string } | undefined;
  for (const slo of candidates) {
    const found = objectiveFromSlo(asRecord(slo));
    if (found && (!best || found.objective > best.objective)) best = found;
  }
  return best ?? { objective: DEFAULT_OBJECTIVE, source: 'default (99.9%); an absolute availability or error-rate SLO sets it' };
}

function objectiveFromSlo(r: Record<string, unknown> | undefined): { objective: number; source: string } | undefined {
  if (!r || r.relativeTo !== undefined) return undefined;
  const name = typeof r.name === 'string' ? ` "${r.name}"` : '';
  const valid = (x: number | undefined): x is number => x !== undefined && x > 0 && x < 1;
  let availability: number | undefined;
  let errorRate: number | undefined;
  if (r.metric === 'availability') availability = fraction(r.value ?? r.min, 'min');
  else if (r.metric === 'errorRate') errorRate = fraction(r.value ?? r.max, 'max');
  else {
    availability = fraction(r.availability, 'min');
    errorRate = fraction(r.errorRate, 'max');
  }
  if (valid(availability)) return { objective: availability, source: `the availability SLO${name} (${percent(availability, 2)})` };
  if (valid(errorRate)) return { objective: 1 - errorRate, source: `the error-rate SLO${name} (at most ${percent(errorRate, 2)})` };
  return undefined;
}

function asRecord(x: unknown): Record<string, unknown> | undefined {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined;
}

/** 0.999, 99.9 (a percentage), "99.9%", "<= 0.1%", or { min|max|value|target: … }. */
function fraction(x: unknown, key: string): number | undefined {
  const r = asRecord(x);
  if (r) return fraction(r[key] ?? r.value ?? r.target ?? r.threshold, key);
  if (typeof x === 'number') return x > 1 && x <= 100 ? x / 100 : x;
  if (typeof x === 'string') {
    const m = /(\d+(?:\.\d+)?)\s*(%?)/.exec(x);
    if (!m) return undefined;
    const n = Number(m[1]);
    return m[2] === '%' || n > 1 ? n / 100 : n;
  }
  return undefined;
}
