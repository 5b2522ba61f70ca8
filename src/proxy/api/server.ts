/**
 * The HTTP API of `faultline proxy`, compatible with Toxiproxy's (same routes, JSON shapes,
 * status codes and error bodies `{ "error", "status" }`), so Toxiproxy clients work unchanged:
 *
 *   GET  /version                        GET/POST /proxies           POST /populate   POST /reset
 *   GET/POST/PATCH/DELETE /proxies/{p}   GET/POST /proxies/{p}/toxics
 *   GET/POST/PATCH/DELETE /proxies/{p}/toxics/{t}
 *
 * Additions: `GET /metrics` (Prometheus text), `POST /heartbeat` (the dead-man's switch, see
 * collection.ts), toxic types of faultline's own, and `ttl`/`owner` on toxics. Like Toxiproxy, it
 * refuses requests from browsers (a web page must not be able to drive it).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseHostPort, resolveHost } from '../address.js';
import { ApiError, ProxyCollection, proxyJson } from '../collection.js';
import { formatHostPort } from '../endpoint.js';
import { toxicJson } from '../toxic.js';
import { announceTransport, proxyTransport } from '../transport.js';
import { answerClientError, answeredAsMalformed, BodyError, readJson } from './input.js';
import { prometheusText } from './metrics.js';
import { decideSharing } from '../workers/sharing.js';
import { WorkerPool, type WorkerReport } from '../workers/pool.js';

/** What GET /version reports: the Toxiproxy API version this server follows, marked as faultline's. */
export const API_VERSION = '2.12.0+faultline';
export const DEFAULT_API_LISTEN = '127.0.0.1:8474';

export interface ProxyServerOptions {
  /** `host:port` for the API (default 127.0.0.1:8474; port 0 picks one). */
  listen?: string;
  collection?: ProxyCollection;
  log?: (message: string) => void;
  /** Worker processes serving the proxies (default 1: this process serves them). Not with `collection`. */
  workers?: number;
}

export interface ProxyServer {
  /** `http://host:port`. */
  readonly url: string;
  readonly collection: ProxyCollection;
  /** Stops the API and every proxy (and the workers). */
  close(): Promise<void>;
  /** With workers: rejects if they keep crashing (pool.ts); never settles otherwise. */
  readonly failed: Promise<never>;
}

export async function startProxyServer(options: ProxyServerOptions = {}): Promise<ProxyServer> {
  const { host, port } = parseHostPort(options.listen ?? DEFAULT_API_LISTEN, 'API listen address');
  const ip = await resolveHost(host, true);
  // Decided (self-test included) before the API answers, so the startup log says which transport proxies will use.
  const choice = options.collection ? undefined : await proxyTransport();
  if (choice) announceTransport(choice, options.log);
  let pool: WorkerPool | undefined;
  let fail: (err: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  if (choice && (options.workers ?? 1) > 1) {
    const { sharing, reason } = await decideSharing();
    pool = await WorkerPool.start({ workers: options.workers!, transport: choice.transport, sharing, log: options.log, onFatal: fail });
    options.log?.(`proxy workers: ${options.workers} processes (${[...pool.pids().values()].join(', ')}); listeners shared by ${sharing} (${reason})`);
  }
  const collection = options.collection ?? new ProxyCollection({ log: options.log, ...(pool ? { workers: pool, transport: choice!.transport } : {}) });
  const server = createServer((req, res) => {
    handle(collection, pool, req, res).catch(async (err: unknown) => {
      await collection.flush(); // a refused change may have been undone: answer once the workers have it too
      const e = err instanceof ApiError ? err : new ApiError((err as Error).message, 500);
      if (answeredAsMalformed(req.socket)) return;
      if (!res.headersSent) sendError(res, e, e instanceof BodyError || !req.complete);
      else res.destroy();
    });
  });
  server.on('clientError', answerClientError);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(`cannot listen on ${formatHostPort(ip, port)}: ${err.code === 'EADDRINUSE' ? 'address already in use (is another faultline proxy or Toxiproxy running?)' : err.message}`)),
    );
    server.listen(port, ip, () => resolve());
  }).catch(async (err: unknown) => {
    await pool?.close();
    throw err;
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${formatHostPort(addr.address, addr.port)}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    collection,
    failed,
    close() {
      closing ??= new Promise<void>((resolve) => {
        collection.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => pool?.close());
      return closing;
    },
  };
}

const PROXY_PATH = /^\/proxies\/([^/]+)$/;
const TOXICS_PATH = /^\/proxies\/([^/]+)\/toxics$/;
const TOXIC_PATH = /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/;

async function handle(c: ProxyCollection, pool: WorkerPool | undefined, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
    req.resume();
    res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
    return void res.end('User agent not allowed\n');
  }
  const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  const body = method === 'POST' || method === 'PATCH' || method === 'PUT' ? await readJson(req) : (req.resume(), undefined);
  const update = method === 'POST' || method === 'PATCH';
  let m: RegExpExecArray | null;
  /** With workers, a change is answered once every worker applied it. */
  const applied = async <T>(value: T): Promise<T> => (await c.flush(), value);

  if (path === '/version') return only(method, ['GET'], () => sendText(res, 200, `${JSON.stringify({ version: API_VERSION })}\n`, 'application/json;charset=utf-8'));
  if (path === '/metrics') return only(method, ['GET'], async () => sendText(res, 200, prometheusText(c.list(), await workerReports(pool)), 'text/plain; version=0.0.4; charset=utf-8'));
  if (path === '/reset') return only(method, ['POST'], async () => (await applied(await c.reset()), sendEmpty(res)));
  if (path === '/heartbeat') {
    return only(method, ['POST'], () => {
      const owner = headerText(req, 'x-faultline-owner') ?? (isObject(body) && typeof body.owner === 'string' ? body.owner : undefined);
      sendJson(res, 200, { refreshed: c.heartbeat(owner) });
    });
  }
  if (path === '/populate') {
    return only(method, ['POST'], async () => {
      try {
        sendJson(res, 201, { proxies: (await applied(await c.populate(body))).map(proxyJson) });
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        await c.flush(); // the undo, too
        sendJson(res, err.status, { error: err.message, status: err.status, proxies: null });
      }
    });
  }
  if (path === '/proxies') {
    if (method === 'GET') return sendJson(res, 200, Object.fromEntries(c.list().map((p) => [p.name, proxyJson(p)])));
    return only(method, ['POST'], async () => sendJson(res, 201, proxyJson(await applied(await c.create(body)))));
  }
  if ((m = PROXY_PATH.exec(path))) {
    const name = decode(m[1]!);
    if (method === 'GET') return sendJson(res, 200, proxyJson(c.get(name)));
    if (update) return sendJson(res, 200, proxyJson(await applied(await c.update(name, body))));
    return only(method, ['DELETE'], async () => (await applied(c.remove(name)), sendEmpty(res)));
  }
  if ((m = TOXICS_PATH.exec(path))) {
    const name = decode(m[1]!);
    if (method === 'GET') return sendJson(res, 200, c.get(name).toxics.map(toxicJson));
    return only(method, ['POST'], async () => sendJson(res, 200, toxicJson(await applied(c.addToxic(name, body, extras(req))))));
  }
  if ((m = TOXIC_PATH.exec(path))) {
    const [proxy, toxic] = [decode(m[1]!), decode(m[2]!)];
    if (method === 'GET') return sendJson(res, 200, toxicJson(c.getToxic(proxy, toxic)));
    if (update) return sendJson(res, 200, toxicJson(await applied(c.updateToxic(proxy, toxic, body))));
    return only(method, ['DELETE'], async () => (await applied(c.removeToxic(proxy, toxic)), sendEmpty(res)));
  }
  throw new ApiError(`no route ${method} ${path}`, 404);

  async function only(actual: string, allowed: string[], run: () => void | Promise<void>): Promise<void> {
    if (!allowed.includes(actual)) throw new ApiError(`method ${actual} not allowed on ${path}`, 405);
    await run();
  }
}

/** Per-worker counters for /metrics (and the proxies' totals refreshed from them). */
async function workerReports(pool: WorkerPool | undefined): Promise<{ reports: WorkerReport[]; restarts: number } | undefined> {
  return pool ? { reports: await pool.refresh(), restarts: pool.restarts } : undefined;
}

function extras(req: IncomingMessage): { ttl?: number; owner?: string } {
  const ttlText = headerText(req, 'x-faultline-ttl');
  const ttl = ttlText !== undefined ? Number(ttlText) : undefined;
  if (ttl !== undefined && !(Number.isInteger(ttl) && ttl > 0)) throw new ApiError('bad request body: X-Faultline-Ttl must be a positive whole number of milliseconds', 400);
  const owner = headerText(req, 'x-faultline-owner');
  return { ...(ttl !== undefined ? { ttl } : {}), ...(owner !== undefined ? { owner } : {}) };
}

function headerText(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError('bad path encoding', 400);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, JSON.stringify(body), 'application/json');
}

/** `close`: the connection cannot be trusted for another request (its body was refused or not read). */
function sendError(res: ServerResponse, err: ApiError, close: boolean): void {
  if (close) res.setHeader('connection', 'close');
  sendJson(res, err.status, { error: err.message, status: err.status });
}

function sendEmpty(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

function sendText(res: ServerResponse, status: number, text: string, type: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
