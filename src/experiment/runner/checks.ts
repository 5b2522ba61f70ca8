/** Hypothesis checks: one probe now (before/after), or a probe's whole record during the method (throughout). */
import { runProbe } from '../../probes/run-probe.js';
import { evaluate } from '../../probes/tolerance.js';
import type { CheckResult, Sample } from '../../journal/types.js';
import type { Probe } from '../schema/experiment.js';
import { DEFAULT_PROBE_TIMEOUT_MS } from '../runtime/health.js';
import { toProbeCall } from './probe-call.js';

export async function checkProbeNow(probe: Probe, kind: 'steady-state-before' | 'steady-state-after', options: { cwd: string; signal?: AbortSignal; now: () => number }): Promise<CheckResult> {
  const call = toProbeCall(probe);
  const result = await runProbe(call, { cwd: options.cwd, signal: options.signal, defaultTimeout: DEFAULT_PROBE_TIMEOUT_MS, phase: kind === 'steady-state-before' ? 'before' : 'after' });
  const verdict = evaluate(call, result, probe.expect);
  return { name: probe.name, kind, ok: verdict.ok, observed: verdict.observed, expected: verdict.expected, t: options.now() };
}

/** A `throughout` probe holds when every sample taken from the start of the method until recovery passed. */
export function checkThroughout(probe: Probe, samples: Sample[], window: { start: number; end: number }, expected: string, now: number): CheckResult {
  const during = samples.filter((s) => s.series === `probe:${probe.name}` && s.t >= window.start && s.t <= window.end);
  const failed = during.filter((s) => !s.ok);
  const first = failed[0];
  const observed =
    during.length === 0
      ? 'no probe ran during the method and recovery'
      : failed.length === 0
        ? `all ${during.length} probes passed during the method and recovery`
        : `${failed.length} of ${during.length} probes failed during the method and recovery, first at ${(first!.t / 1000).toFixed(2)}s: ${first!.observed}`;
  return { name: probe.name, kind: 'throughout', ok: during.length > 0 && failed.length === 0, observed, expected, t: now };
}
