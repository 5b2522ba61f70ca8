/** Runs one probe call, whatever its kind. Target failures come back as results, never as throws. */
import { ValidationError } from '../errors/index.js';
import { commandProbe } from './command-probe.js';
import { httpProbe } from './http-probe.js';
import { tcpProbe } from './tcp-probe.js';
import type { ProbeCall, ProbeKind, ProbeResult } from './types.js';

export interface RunProbeOptions {
  signal?: AbortSignal;
  /** Working directory for commands. */
  cwd?: string;
  /** Milliseconds, when the call has no timeout of its own. */
  defaultTimeout: number;
}

export function runProbe(call: ProbeCall, options: RunProbeOptions): Promise<ProbeResult> {
  const probeOptions = { timeout: call.timeout ?? options.defaultTimeout, signal: options.signal, cwd: options.cwd };
  switch (probeKind(call)) {
    case 'http':
      return httpProbe(call.http!, probeOptions);
    case 'tcp':
      return tcpProbe(call.tcp!, probeOptions);
    case 'command':
      return commandProbe(call.command!, probeOptions);
  }
}

/** Which of http, tcp, command the call uses. Throws on a call with none or several (a bug upstream: the schema forbids it). */
export function probeKind(call: ProbeCall): ProbeKind {
  const kinds = (['http', 'tcp', 'command'] as const).filter((k) => call[k] !== undefined);
  if (kinds.length !== 1) {
    const message = kinds.length === 0 ? 'expected one of http, tcp or command' : `expected only one of http, tcp or command, got ${kinds.join(' and ')}`;
    throw new ValidationError([{ file: '<inline>', path: '', message: `probe: ${message}` }]);
  }
  return kinds[0]!;
}
