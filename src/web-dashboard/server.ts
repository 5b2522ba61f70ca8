/**
 * The live dashboard's HTTP server (node:http, loopback by default): under `/<token>/` the page,
 * its event stream (`events`, Server-Sent Events replayed from the store) and the report files
 * registered with `addFile` (`files/<name>`: a page served over http cannot link to file://).
 * Every other path, and any path without the token, is refused. Nothing here keeps the process
 * alive: the server and its connections are unref'd, so a run that ends (or fails) still exits.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { EventStore, type Retention } from './event-store.js';
import { renderPage, type PageMode } from './page/page.js';
import { SseClient, HEARTBEAT_MS } from './sse-client.js';
import { newToken, pathAfterToken } from './token.js';

export interface DashboardServerOptions {
  mode: PageMode;
  /** The page's title (`faultline run`, `faultline demo`, the system's name). */
  title: string;
  /** Default 127.0.0.1 and a free port. */
  host?: string;
  port?: number;
  store?: EventStore;
  heartbeatMs?: number;
}

/** What reporters and feeds publish to. */
export interface DashboardSink {
  publish(type: string, data: unknown, retention?: Retention): void;
  /** Serves `path` under the token; returns its URL relative to the page. */
  addFile(name: string, path: string): string;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.json': 'application/json', '.md': 'text/plain; charset=utf-8', '.xml': 'application/xml' };

export class DashboardServer implements DashboardSink {
  readonly token = newToken();
  readonly store: EventStore;
  readonly #files = new Map<string, string>();
  readonly #clients = new Set<SseClient>();
  readonly #server: Server;
  #url = '';

  private constructor(private readonly o: DashboardServerOptions) {
    this.store = o.store ?? new EventStore();
    this.#server = createServer((req, res) => this.#handle(req, res).catch(() => res.destroy()));
    this.#server.on('connection', (socket) => socket.unref());
  }

  static async start(o: DashboardServerOptions): Promise<DashboardServer> {
    const s = new DashboardServer(o);
    const host = o.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      s.#server.once('error', reject);
      s.#server.listen(o.port ?? 0, host, () => {
        s.#server.off('error', reject);
        resolve();
      });
    });
    s.#server.unref();
    const { port } = s.#server.address() as AddressInfo;
    s.#url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/${s.token}/`;
    return s;
  }

  /** The page's URL, token included. */
  get url(): string {
    return this.#url;
  }

  publish(type: string, data: unknown, retention: Retention = 'volatile'): void {
    this.store.publish(type, data, retention);
  }

  addFile(name: string, path: string): string {
    const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
    this.#files.set(safe, path);
    return `files/${safe}`;
  }

  /** Ends every stream (with a `bye` event, so pages stop reconnecting) and stops listening. */
  async close(reason = 'the dashboard has closed'): Promise<void> {
    for (const c of this.#clients) c.end({ reason });
    this.#clients.clear();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const rest = pathAfterToken(pathname, this.token);
    if (rest === undefined) {
      // `/<token>` without its slash: the page's relative links need it.
      if (pathAfterToken(`${pathname}/`, this.token) === '') return void res.writeHead(308, { Location: `/${this.token}/` }).end();
      return plain(res, 403, 'forbidden: this dashboard needs the URL with its token, as faultline printed it\n');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'only GET\n');
    if (rest === '') return this.#page(res);
    if (rest === 'events') return this.#events(req, res);
    if (rest.startsWith('files/')) return this.#file(rest.slice('files/'.length), res);
    return plain(res, 404, 'not found\n');
  }

  #page(res: ServerResponse): void {
    const nonce = randomBytes(16).toString('base64');
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      // Nothing but the page's own inline script and style, and its own stream and files.
      'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    });
    res.end(renderPage({ mode: this.o.mode, title: this.o.title, nonce }));
  }

  #events(req: IncomingMessage, res: ServerResponse): void {
    const header = req.headers['last-event-id'];
    const lastId = Number(Array.isArray(header) ? header[0] : header ?? 0);
    const client = new SseClient(res, this.o.heartbeatMs ?? HEARTBEAT_MS);
    const replay = this.store.since(Number.isFinite(lastId) ? lastId : 0);
    if (replay.gap) client.sendUnstored('gap', { reason: 'older samples were dropped from the replay buffer' });
    for (const e of replay.events) client.send(e);
    const unsubscribe = this.store.subscribe((e) => client.send(e));
    this.#clients.add(client);
    res.on('close', () => {
      unsubscribe();
      this.#clients.delete(client);
    });
  }

  async #file(name: string, res: ServerResponse): Promise<void> {
    const path = this.#files.get(name);
    if (path === undefined) return plain(res, 404, 'no such file\n');
    try {
      const body = await readFile(path);
      res.writeHead(200, {
        'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream',
        'Cache-Control': 'no-store',
        'Referrer-Policy': 'no-referrer',
        'X-Content-Type-Options': 'nosniff',
        // The reports are self-contained: inline style and SVG, no script.
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
      });
      res.end(body);
    } catch (err) {
      plain(res, 404, `could not read ${path}: ${(err as Error).message}\n`);
    }
  }
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}
