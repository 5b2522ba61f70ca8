import type { ProbeCall } from '../../probes/types.js';
import type { Probe } from '../schema/experiment.js';

/** The call part of a hypothesis probe (what to run), without its name and tolerance. */
export function toProbeCall(probe: Probe): ProbeCall {
  return {
    ...(probe.http !== undefined ? { http: probe.http } : {}),
    ...(probe.tcp !== undefined ? { tcp: probe.tcp } : {}),
    ...(probe.command !== undefined ? { command: probe.command } : {}),
    ...(probe.metrics !== undefined ? { metrics: probe.metrics } : {}),
    ...(probe.prometheus !== undefined ? { prometheus: probe.prometheus } : {}),
    ...(probe.kubernetes !== undefined ? { kubernetes: probe.kubernetes } : {}),
    ...(probe.timeout !== undefined ? { timeout: probe.timeout } : {}),
  };
}
