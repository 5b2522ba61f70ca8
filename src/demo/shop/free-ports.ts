/** Finding a base port whose whole span (six services, seven proxies) is free on loopback. */
import { createServer } from 'node:net';
import { DEFAULT_BASE_PORT, PORT_SPAN } from './topology.js';

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function spanFree(basePort: number): Promise<boolean> {
  const ports = Array.from({ length: PORT_SPAN }, (_, i) => basePort + i);
  return (await Promise.all(ports.map(portFree))).every(Boolean);
}

/**
 * `preferred` (default 17300; null: none) when its span is free, else a random one from 20000 to
 * 31999 — below Linux's ephemeral range (32768+), so no outgoing connection takes one meanwhile.
 */
export async function freeBasePort(preferred: number | null = DEFAULT_BASE_PORT): Promise<number> {
  if (preferred !== null && (await spanFree(preferred))) return preferred;
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 600) * 20;
    if (await spanFree(base)) return base;
  }
  throw new Error(`no free range of ${PORT_SPAN} ports found on 127.0.0.1`);
}
