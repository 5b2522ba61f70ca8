/** Real HTTP servers on 127.0.0.1 port 0 for the load tests: they count what they receive. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingServer {
  url: string;
  port: number;
  /** Requests received, in total and by path. */
  count: number;
  byPath: Map<string, number>;
  sockets: number;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export function startServer(handler: Handler = (_req, res) => res.end('ok')): Promise<CountingServer> {
  const state: CountingServer = {
    url: '',
    port: 0,
    count: 0,
    byPath: new Map(),
    sockets: 0,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
  const server: Server = createServer((req, res) => {
    state.count++;
    const path = req.url ?? '/';
    state.byPath.set(path.split('?')[0]!, (state.byPath.get(path.split('?')[0]!) ?? 0) + 1);
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, res, body));
  });
  server.on('connection', () => state.sockets++);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      state.port = (server.address() as AddressInfo).port;
      state.url = `http://127.0.0.1:${state.port}/`;
      resolve(state);
    });
  });
}

/** A server that stalls for `stallMs` once every second: requests that arrive in the stall are answered when it ends. */
export function startStallServer(stallMs = 200): Promise<CountingServer> {
  const t0 = Date.now();
  return startServer((_req, res) => {
    const phase = (Date.now() - t0) % 1000;
    if (phase < stallMs) setTimeout(() => res.end('ok'), stallMs - phase);
    else res.end('ok');
  });
}

/** A server that answers its first `answered` requests and then holds every other one unanswered (until it closes). */
export function startHoldingServer(answered = 0): Promise<CountingServer> {
  let n = 0;
  return startServer((_req, res) => {
    if (n++ < answered) res.end('ok');
  });
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const s = await startServer();
  await s.close();
  return s.port;
}
