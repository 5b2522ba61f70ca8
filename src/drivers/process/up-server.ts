/**
 * The control server of `faultline up`: lets other faultline processes (an experiment run, a
 * `faultline kill`) see and restart the services this process supervises. Loopback only, and every
 * request must carry the token from up.json.
 *
 *   GET  /services               → UpServicesResponse
 *   POST /services/:name/restart → { pid }
 *   POST /shutdown               → { ok: true }, then stops every service and closes
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { isFaultlineError } from '../../errors/index.js';
import { readStartTicks } from '../../util/proc.js';
import type { ProcessSupervisor } from './supervisor.js';
import { newUpToken, removeUpState, writeUpState, type UpServicesResponse, type UpState } from './up-state.js';

export interface UpServerOptions {
  supervisor: ProcessSupervisor;
  stateDir: string;
  /** Recorded in up.json: the system file served, so runs of other systems do not adopt this daemon. */
  system?: { file: string; sha256: string };
}

export interface UpServer {
  readonly port: number;
  readonly state: UpState;
  /** Settles once the server has shut down (POST /shutdown or close()). */
  readonly closed: Promise<void>;
  /** Rewrites up.json, e.g. after more services were started. */
  publish(): Promise<void>;
  /** Stops every service, closes the server, removes up.json. Idempotent. */
  close(): Promise<void>;
}

export async function startUpServer({ supervisor, stateDir, system }: UpServerOptions): Promise<UpServer> {
  const token = newUpToken();
  let closing: Promise<void> | undefined;
  let markClosed = () => {};
  const closed = new Promise<void>((res) => (markClosed = res));

  const server = createServer((req, res) => {
    req.resume(); // bodies are not used; drain them
    if (!authorized(req, token)) return send(res, 401, { error: 'missing or wrong token (see up.json)' });
    route(req, res).catch((err: unknown) => send(res, 500, { error: (err as Error).message, code: isFaultlineError(err) ? err.code : undefined }));
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const restart = /^\/services\/([^/]+)\/restart$/.exec(path);
    if (req.method === 'GET' && path === '/services') return send(res, 200, listServices(supervisor));
    if (req.method === 'POST' && restart) {
      const name = decodeURIComponent(restart[1]!);
      if (!supervisor.services().includes(name)) return send(res, 404, { error: `service ${name} is not supervised by faultline up` });
      return send(res, 200, await supervisor.restart(name));
    }
    if (req.method === 'POST' && path === '/shutdown') {
      send(res, 200, { ok: true });
      void close();
      return;
    }
    send(res, 404, { error: `no route ${req.method} ${path}` });
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      try {
        await supervisor.stopAll();
      } finally {
        await new Promise<void>((res) => {
          server.close(() => res());
          server.closeAllConnections(); // keep-alive clients would otherwise hold close() open
        });
        await removeUpState(stateDir, process.pid);
        markClosed();
      }
    })();
    return closing;
  }

  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => res());
  });
  const port = (server.address() as AddressInfo).port;
  const startedAt = new Date().toISOString();
  const state = (): UpState => ({
    pid: process.pid,
    startTicks: readStartTicks(process.pid),
    port,
    token,
    startedAt,
    services: supervisor.services(),
    ...(system ? { system } : {}),
  });
  await writeUpState(stateDir, state());
  return {
    port,
    get state() {
      return state();
    },
    closed,
    publish: () => writeUpState(stateDir, state()),
    close,
  };
}

function authorized(req: IncomingMessage, token: string): boolean {
  const given = Buffer.from(req.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function listServices(supervisor: ProcessSupervisor): UpServicesResponse {
  const services: UpServicesResponse['services'] = {};
  for (const name of supervisor.services()) {
    const status = supervisor.status(name)!;
    services[name] = {
      pid: status.pid ?? null,
      startTicks: status.startTicks ?? null,
      running: status.running,
      restarts: status.restarts,
      events: supervisor.events(name),
    };
  }
  return { services };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
