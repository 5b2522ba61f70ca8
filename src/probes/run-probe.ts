/** Runs one probe call, whatever its kind. Target failures come back as results, never as throws. */
import { ValidationError } from '../errors/index.js';
import { commandProbe } from './command-probe.js';
import { httpProbe } from './http-probe.js';
import { metricsProbe } from './metrics-probe.js';
import { kubernetesReadyProbe } from './kubernetes-probe.js';
import { prometheusProbe } from './prometheus-probe.js';
import { tcpProbe } from './tcp-probe.js';
import type { ProbeCall, ProbeKind, ProbePhase, ProbeResult } from './types.js';

export interface RunProbeOptions {
  signal?: AbortSignal;
  /** Working directory for commands. */
  cwd?: string;
  /** Milliseconds, when the call has no timeout of its own. */
  defaultTimeout: number;
  /** When in a run the probe is taken (metrics probes: `before` sets the baseline of counter increases). */
  phase?: ProbePhase;
}

export function runProbe(call: ProbeCall, options: RunProbeOptions): Promise<ProbeResult> {
  const probeOptions = { timeout: call.timeout ?? options.defaultTimeout, signal: options.signal, cwd: options.cwd, phase: options.phase };
  switch (probeKind(call)) {
    case 'http':
      return httpProbe(call.http!, probeOptions);
    case 'tcp':
      return tcpProbe(call.tcp!, probeOptions);
    case 'command':
      return commandProbe(call.command!, probeOptions);
    case 'metrics':
      return metricsProbe(call.metrics!, probeOptions);
    case 'prometheus':
      return prometheusProbe(call.prometheus!, probeOptions);
    case 'kubernetes':
      return kubernetesReadyProbe(call.kubernetes!, probeOptions);
  }
}

/** Which of http, tcp, command, metrics, prometheus, kubernetes the call uses. Throws on a call with none or several (a bug upstream: the schema forbids it). */
export function probeKind(call: ProbeCall): ProbeKind {
  const kinds = (['http', 'tcp', 'command', 'metrics', 'prometheus', 'kubernetes'] as const).filter((k) => call[k] !== undefined);
  if (kinds.length !== 1) {
    const message = kinds.length === 0 ? 'expected one of http, tcp, command, metrics, prometheus or kubernetes' : `expected only one of http, tcp, command, metrics, prometheus or kubernetes, got ${kinds.join(' and ')}`;
    throw new ValidationError([{ file: '<inline>', path: '', message: `probe: ${message}` }]);
  }
  return kinds[0]!;
}
