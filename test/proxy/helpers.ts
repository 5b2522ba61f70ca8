/** Real TCP and HTTP servers on 127.0.0.1 port 0, clients, and checksums for the proxy tests. */
import { createHash, randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProxyCollection, type Proxy, type ProxyOptions } from '../../src/proxy/index.js';

export interface Closable {
  close(): Promise<void>;
}

/** Things to close in after(). */
export class Cleanup {
  private items: (() => unknown)[] = [];

  add<T>(item: T, close: (item: T) => unknown): T {
    this.items.push(() => close(item));
    return item;
  }

  async run(): Promise<void> {
    for (const close of this.items.reverse()) await close();
    this.items = [];
  }
}

export interface TcpServer {
  port: number;
  address: string;
  sockets: Set<Socket>;
  close(): Promise<void>;
}

/** A TCP server; `onSocket` decides what it does (echo by default). */
export async function tcpServer(onSocket: (s: Socket) => void = (s) => s.pipe(s)): Promise<TcpServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onSocket(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    address: `127.0.0.1:${port}`,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export async function httpServer(handler: RequestListener): Promise<TcpServer & { requests: number }> {
  const sockets = new Set<Socket>();
  const state = { requests: 0 };
  const server = createHttpServer((req, res) => {
    state.requests++;
    handler(req, res);
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    port,
    address: `127.0.0.1:${port}`,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** A collection with one proxy in front of `upstream`. */
export async function proxyTo(upstream: string, options: ProxyOptions = {}, name = 'p'): Promise<{ collection: ProxyCollection; proxy: Proxy; port: number; close(): Promise<void> }> {
  const collection = new ProxyCollection(options);
  const proxy = await collection.create({ name, listen: '127.0.0.1:0', upstream });
  return { collection, proxy, port: portOf(proxy.listen), close: async () => collection.close() };
}

export function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}

export async function dial(port: number): Promise<Socket> {
  const s = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  s.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('error', reject);
  });
  return s;
}

/** Collects what a socket receives until it ends, closes or errors. */
export function collect(s: Socket): { bytes: () => Buffer; done: Promise<{ data: Buffer; error?: string; endedAt: number }>; received: () => number } {
  const parts: Buffer[] = [];
  let size = 0;
  const done = new Promise<{ data: Buffer; error?: string; endedAt: number }>((resolve) => {
    let error: string | undefined;
    s.on('data', (d: Buffer) => {
      parts.push(d);
      size += d.length;
    });
    s.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    const finish = () => resolve({ data: Buffer.concat(parts), ...(error ? { error } : {}), endedAt: performance.now() });
    s.on('end', finish);
    s.on('close', finish);
  });
  return { bytes: () => Buffer.concat(parts), done, received: () => size };
}

/** Resolves once `n` bytes have arrived (or rejects after `ms`). */
export async function untilReceived(received: () => number, n: number, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (received() < n) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${n} bytes (got ${received()})`);
    await sleep(5);
  }
}

export async function waitFor(check: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function payload(size: number): Buffer {
  return randomBytes(size);
}

/** Writes `data` in pieces of `piece` bytes, `gapMs` apart (so the proxy sees many chunks over time). */
export async function writeSlowly(s: Socket, data: Buffer, piece: number, gapMs: number): Promise<void> {
  for (let i = 0; i < data.length; i += piece) {
    if (!s.write(data.subarray(i, i + piece))) await new Promise((r) => s.once('drain', r));
    if (gapMs > 0) await sleep(gapMs);
  }
}

/** Sends raw bytes and reads until `count` HTTP responses have fully arrived (Content-Length framed). */
export async function rawHttp(port: number, request: string | Buffer, count: number, ms = 10_000): Promise<{ responses: { status: number; headers: Record<string, string>; body: string }[]; socket: Socket }> {
  const s = await dial(port);
  const c = collect(s);
  s.write(request);
  const end = Date.now() + ms;
  for (;;) {
    const parsed = parseResponses(c.bytes());
    if (parsed.length >= count) return { responses: parsed.slice(0, count), socket: s };
    if (Date.now() > end) throw new Error(`timed out: ${parsed.length} of ${count} responses; got ${JSON.stringify(c.bytes().toString('latin1').slice(0, 300))}`);
    await sleep(5);
  }
}

export function parseResponses(data: Buffer): { status: number; headers: Record<string, string>; body: string }[] {
  const out: { status: number; headers: Record<string, string>; body: string }[] = [];
  let text = data.toString('latin1');
  for (;;) {
    const headEnd = text.indexOf('\r\n\r\n');
    if (headEnd < 0) return out;
    const lines = text.slice(0, headEnd).split('\r\n');
    const status = Number(lines[0]!.split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
    const len = Number(headers['content-length'] ?? 0);
    if (text.length < headEnd + 4 + len) return out;
    out.push({ status, headers, body: text.slice(headEnd + 4, headEnd + 4 + len) });
    text = text.slice(headEnd + 4 + len);
  }
}
