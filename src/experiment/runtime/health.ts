/** A service's health check as a probe: the one place the system file's health shape meets probes/. */
import type { HealthCheck } from '../schema/system.js';
import { healthToProbe } from '../../probes/tolerance.js';
import { runProbe } from '../../probes/run-probe.js';
import { evaluate } from '../../probes/tolerance.js';
import type { Expectation, ProbeCall } from '../../probes/types.js';

export const DEFAULT_PROBE_INTERVAL_MS = 250;
export const DEFAULT_PROBE_TIMEOUT_MS = 1000;

export function healthProbe(health: HealthCheck): { call: ProbeCall; expect?: Expectation } {
  return healthToProbe(health);
}

/** One health check, now: healthy or not, and what was seen. */
export async function checkHealth(health: HealthCheck, options: { cwd: string; signal?: AbortSignal }): Promise<{ ok: boolean; observed: string; latencyMs: number; said?: string }> {
  const { call, expect } = healthProbe(health);
  const result = await runProbe(call, { cwd: options.cwd, signal: options.signal, defaultTimeout: DEFAULT_PROBE_TIMEOUT_MS });
  const verdict = evaluate(call, result, expect);
  // A command check's own words (the Docker default check prints "2/2 containers … running and healthy").
  const said = result.stdout?.trim().split('\n')[0]?.slice(0, 160);
  return { ok: verdict.ok, observed: verdict.observed, latencyMs: result.latencyMs, ...(said ? { said } : {}) };
}
