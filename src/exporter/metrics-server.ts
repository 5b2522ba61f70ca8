/**
 * Serves a registry at GET /metrics over node:http. The server and its connections are unref'd:
 * it lives while the run keeps the process alive and never holds a finished CLI open (a
 * Prometheus keeps its scrape connection open between scrapes); close() ends it at once.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Registry } from 'prom-client';

export interface ListenAddress {
  host: string;
  port: number;
}

export interface MetricsServer {
  /** http://host:port/metrics with the port actually bound. */
  url: string;
  close(): Promise<void>;
}

/** `HOST:PORT` (`127.0.0.1:9464`, `[::1]:0`, `0.0.0.0:9464`); undefined when it is not one. */
export function parseListen(value: string): ListenAddress | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65_535) return undefined;
  return { host: (m[1] ?? m[2])!, port };
}

export async function serveMetrics(registry: Registry, at: ListenAddress): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(err as Error).message}\n`),
      );
      return;
    }
    res.writeHead(path === '/' ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8' }).end(path === '/' ? 'faultline exporter: GET /metrics\n' : 'not found: GET /metrics\n');
  });
  server.on('connection', (socket: Socket) => socket.unref());
  await listen(server, at);
  server.unref();
  const { port } = server.address() as AddressInfo;
  const host = at.host.includes(':') ? `[${at.host}]` : at.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, at: ListenAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
