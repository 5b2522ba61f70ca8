/** TCP probe: succeeds as soon as the connection is established, then closes it. */
import { connect } from 'node:net';
import { startDeadline } from './deadline.js';
import { errorText } from './error-text.js';
import type { ProbeOptions, ProbeResult } from './types.js';

export function tcpProbe(address: string, options: ProbeOptions): Promise<ProbeResult> {
  const target = parseHostPort(address);
  if (!target) return Promise.resolve({ ok: false, latencyMs: 0, error: `expected host:port, got ${JSON.stringify(address)}` });
  const deadline = startDeadline(options.timeout, options.signal);
  const started = performance.now();
  return new Promise<ProbeResult>((resolve) => {
    const socket = connect({ host: target.host, port: target.port });
    let settled = false;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      deadline.signal.removeEventListener('abort', onAbort);
      deadline.clear();
      socket.destroy();
      resolve(result);
    };
    const onAbort = (): void => finish({ ok: false, latencyMs: performance.now() - started, error: deadline.reason ?? 'aborted' });
    if (deadline.signal.aborted) return onAbort();
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ ok: true, latencyMs: performance.now() - started }));
    socket.on('error', (err) => finish({ ok: false, latencyMs: performance.now() - started, error: errorText(err) }));
  });
}

/** `host:port`, `[v6]:port`. The port is after the last colon. */
export function parseHostPort(address: string): { host: string; port: number } | undefined {
  const colon = address.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const port = Number(address.slice(colon + 1));
  let host = address.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return Number.isInteger(port) && port > 0 && port < 65536 && host ? { host, port } : undefined;
}
