/**
 * The regression gate: this run against the previous run of the same experiment.
 *
 * - time to recover: a service that recovered both times took more than 20% longer, and longer by
 *   more than one probe interval (the measurement's own precision, docs/measurement.md);
 * - a service that recovered (or was not impacted) last time did not recover this time;
 * - a check that passed last time fails now (same kind and name);
 * - the run held last time and now aborted or failed a revert.
 */
import { formatDuration } from '../util/duration.js';
import type { HistoryEntry } from './entry.js';

export const DEFAULT_TOLERANCE = 0.2;

export interface Regression {
  kind: 'time-to-recover' | 'not-recovered' | 'check' | 'status';
  /** The service or check concerned. */
  subject: string;
  message: string;
}

export function findRegressions(previous: HistoryEntry, current: HistoryEntry, tolerance = DEFAULT_TOLERANCE): Regression[] {
  const out: Regression[] = [];
  const precision = Math.max(previous.probeIntervalMs, current.probeIntervalMs);
  for (const now of current.services) {
    const before = previous.services.find((s) => s.service === now.service);
    // An aborted run did not watch long enough to say: not a regression, and no baseline either.
    if (!before || !now.impacted || now.notMeasured || before.notMeasured) continue;
    const recoveredBefore = !before.impacted || before.timeToRecoverMs !== null;
    if (now.timeToRecoverMs === null) {
      if (recoveredBefore) {
        out.push({ kind: 'not-recovered', subject: now.service, message: `${now.service} did not recover; last time (run ${previous.runId}) it ${before.impacted ? `recovered in ${formatDuration(before.timeToRecoverMs!)}` : 'was not impacted'}` });
      }
      continue;
    }
    if (!before.impacted || before.timeToRecoverMs === null) continue;
    const worse = now.timeToRecoverMs - before.timeToRecoverMs;
    if (now.timeToRecoverMs > before.timeToRecoverMs * (1 + tolerance) && worse > precision) {
      const rise = before.timeToRecoverMs > 0 ? `+${Math.round((100 * worse) / before.timeToRecoverMs)}%` : `+${formatDuration(worse)}`;
      out.push({
        kind: 'time-to-recover',
        subject: now.service,
        message: `time to recover of ${now.service} rose from ${formatDuration(before.timeToRecoverMs)} to ${formatDuration(now.timeToRecoverMs)} (${rise}; the limit is +${Math.round(tolerance * 100)}%) since run ${previous.runId}`,
      });
    }
  }
  for (const check of current.checks) {
    if (check.ok) continue;
    const before = previous.checks.find((c) => c.kind === check.kind && c.name === check.name);
    if (before?.ok) out.push({ kind: 'check', subject: check.name, message: `${check.kind} check "${check.name}" held in run ${previous.runId} and now fails: observed ${check.observed}; expected ${check.expected}` });
  }
  if (previous.status === 'held' && (current.status === 'aborted' || current.status === 'revert-failed')) {
    out.push({ kind: 'status', subject: current.status, message: `the run held last time (run ${previous.runId}) and now ${current.status === 'aborted' ? 'aborted' : 'failed to revert a fault'}: ${current.reasons[0] ?? 'no reason recorded'}` });
  }
  return out;
}
