/**
 * A shop service's HTTP server on plain node:http: a tiny router over `/path/:param` patterns,
 * JSON bodies, GET /health and GET /metrics on every service, request counts and latency per
 * route. A handler that throws an HttpError answers with its status; anything else thrown becomes
 * a 500 — which is all the fragile build ever does with a failure.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { CONTENT_TYPE } from '../metrics.js';
import type { ShopMetrics } from '../shop-metrics.js';

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: RouteContext) => Promise<Reply> | Reply;

export interface Route {
  method: string;
  path: string;
  handler: Handler;
}

export interface HealthReport {
  ok: boolean;
  [detail: string]: unknown;
}

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** 503 with Retry-After: the resilient build's answer when a dependency it needs is unavailable. */
export function unavailable(message: string, retryAfterSeconds = 1): HttpError {
  return new HttpError(503, message, { 'retry-after': String(retryAfterSeconds) });
}

interface CompiledRoute extends Route {
  re: RegExp;
  keys: string[];
}

const MAX_BODY = 1 << 20;

export interface ShopServerOptions {
  service: string;
  routes: Route[];
  metrics: ShopMetrics;
  health: () => Promise<HealthReport> | HealthReport;
}

export function createShopServer(options: ShopServerOptions): Server {
  const { metrics } = options;
  const routes: CompiledRoute[] = [
    { method: 'GET', path: '/health', handler: async () => healthReply(await options.health()) },
    { method: 'GET', path: '/metrics', handler: () => ({ body: metrics.registry.render(), headers: { 'content-type': CONTENT_TYPE } }) },
    ...options.routes,
  ].map(compile);

  const server = createServer((req, res) => {
    const started = performance.now();
    void handle(routes, req, res).then((route) => {
      const labels = { route, method: req.method ?? 'GET', status: String(res.statusCode) };
      metrics.requests.inc(labels);
      metrics.duration.observe({ route }, (performance.now() - started) / 1000);
    });
  });
  // Longer than the clients' idle timeout (4 s): the client always closes an idle socket first.
  server.keepAliveTimeout = 10_000;
  return server;
}

/** Serves one request; resolves with the route pattern (for metrics) once the answer is sent. */
async function handle(routes: CompiledRoute[], req: IncomingMessage, res: ServerResponse): Promise<string> {
  const url = new URL(req.url ?? '/', 'http://shop');
  let routePath = 'unmatched';
  try {
    const match = findRoute(routes, req.method ?? 'GET', url.pathname);
    if (!match) throw new HttpError(404, `no route for ${req.method} ${url.pathname}`);
    if ('allowed' in match) throw new HttpError(405, `${req.method} not allowed on ${url.pathname} (allowed: ${match.allowed.join(', ')})`);
    routePath = match.route.path;
    const body = await readJson(req);
    const reply = await match.route.handler({ params: match.params, query: url.searchParams, body });
    send(res, reply.status ?? 200, reply.body, reply.headers);
  } catch (err) {
    if (err instanceof HttpError) send(res, err.status, { error: err.message }, err.headers);
    else send(res, 500, { error: err instanceof Error ? err.message : String(err) });
  }
  return routePath;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  const isText = typeof body === 'string';
  const payload = body === undefined ? '' : isText ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

function healthReply(report: HealthReport): Reply {
  return { status: report.ok ? 200 : 503, body: { status: report.ok ? 'ok' : 'unhealthy', ...report } };
}

function compile(route: Route): CompiledRoute {
  const keys: string[] = [];
  const pattern = route.path.replace(/:([A-Za-z]+)/g, (_, key: string) => {
    keys.push(key);
    return '([^/]+)';
  });
  return { ...route, re: new RegExp(`^${pattern}$`), keys };
}

function findRoute(routes: CompiledRoute[], method: string, path: string): { route: CompiledRoute; params: Record<string, string> } | { allowed: string[] } | undefined {
  const allowed: string[] = [];
  for (const route of routes) {
    const m = route.re.exec(path);
    if (!m) continue;
    if (route.method !== method) {
      allowed.push(route.method);
      continue;
    }
    const params: Record<string, string> = {};
    route.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1]!)));
    return { route, params };
  }
  return allowed.length ? { allowed } : undefined;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, `request body over ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}

/** Listens, and stops cleanly on SIGTERM or SIGINT (open keep-alive connections included). */
export function serve(server: Server, host: string, port: number, onListening: () => void): void {
  server.listen(port, host, onListening);
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
