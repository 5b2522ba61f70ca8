/**
 * One TCP socket of a proxied connection, behind a small interface the links drive: reads are
 * delivered to a handler, writes report whether they completed at once, `end()` half-closes,
 * `reset()` sends RST. Two implementations: raw libuv handles (fast, see binding.ts) and `net`
 * sockets (the fallback; transport.ts decides which a proxy uses). Handlers are plain callbacks, not events: the hot path allocates nothing
 * but the bytes themselves.
 */
import { isIPv6, createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { getSystemErrorMap, getSystemErrorName } from 'node:util';
import { SLAB_SIZE, copyChunk, recycleChunk } from './chunk-pool.js';
import { rawBinding, rawBindingProblem, type RawBinding, type RawConnectReq, type RawShutdownReq, type RawTcpHandle, type RawWriteReq } from './binding.js';

export interface EndpointHandler {
  onData(chunk: Uint8Array): void;
  /** The peer half-closed (FIN): no more data will come. */
  onEnd(): void;
  /** A read or write failed (ECONNRESET, EPIPE, …). The endpoint is unusable. */
  onError(code: string): void;
  /** Every queued write has completed. */
  onDrain(): void;
}

export interface Endpoint {
  handler: EndpointHandler;
  readonly closed: boolean;
  readStart(): void;
  readStop(): void;
  /**
   * False when the kernel did not take it all: the rest is queued, and onDrain follows. With
   * `recycle`, this write is the chunk's last use: a pooled chunk's slab goes back to
   * chunk-pool.ts once the kernel has the bytes.
   */
  write(chunk: Uint8Array, recycle?: boolean): boolean;
  /** Writes are queued (close() now would drop them). */
  readonly busy: boolean;
  /** Half-close (FIN) once queued writes are out; `done` runs then. */
  end(done?: () => void): void;
  /** Closes now. */
  close(): void;
  /** Closes with RST (connection reset by peer). */
  reset(): void;
  setNoDelay(): void;
}

export type Transport = 'raw' | 'net';

const IDLE: EndpointHandler = { onData() {}, onEnd() {}, onError() {}, onDrain() {} };
const UV_EOF = [...getSystemErrorMap()].find(([, [name]]) => name === 'EOF')?.[0] ?? -4095;
const OWNER = Symbol('faultline.endpoint');

export function errorName(errno: number): string {
  try {
    return getSystemErrorName(errno);
  } catch {
    return `E${-errno}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Raw libuv handles

type Owned = RawTcpHandle & { [OWNER]?: RawEndpoint };

/** Bytes a socket may have queued in libuv before write() asks the caller to wait (reading goes on meanwhile, as with net's 16 KiB highWaterMark plus a read). */
const WRITE_HIGH_WATER = 128 * 1024;

/**
 * Where every raw socket of this process reads into. Without it Node allocates a 64 KiB buffer
 * per read and wraps it in a new ArrayBuffer; reading into one buffer and copying out the bytes
 * read (small reads into Buffer's pool, larger ones into a recycled slab: chunk-pool.ts) used
 * less CPU in 9 of 10 interleaved rounds for small requests and 8 of 10 for bulk (medians 3–15%
 * and 2–10% lower; docs/proxy.md, "Where one thread's time goes"). The copy is what makes one
 * buffer safe: a chunk handed on is never this memory, so a write that completes later (libuv
 * writes from the memory it was given) or a toxic holding the chunk never sees it overwritten by
 * the next read. Reads are delivered one at a time on this thread.
 */
const READ_BUFFER = Buffer.allocUnsafeSlow(SLAB_SIZE);

class RawEndpoint implements Endpoint {
  handler = IDLE;
  closed = false;
  private pending = 0;
  private pendingBytes = 0;
  private needDrain = false;
  /** A write request that libuv never took (the last write completed at once): reused, saving an allocation per write. */
  private spare: RawWriteReq | undefined;
  private reading = false;
  private ended = false;
  /** A shutdown (FIN) was handed to libuv and has not completed yet. */
  private shutting = false;
  private onEnded: (() => void) | undefined;

  constructor(
    private readonly handle: RawTcpHandle,
    private readonly b: RawBinding,
  ) {
    (handle as Owned)[OWNER] = this;
    handle.onread = onRawRead;
    handle.useUserBuffer?.(READ_BUFFER);
  }

  get busy(): boolean {
    return this.pending > 0;
  }

  setNoDelay(): void {
    this.handle.setNoDelay(true);
  }

  readStart(): void {
    if (this.reading || this.closed) return;
    this.reading = true;
    const err = this.handle.readStart();
    if (err !== 0) this.fail(err);
  }

  readStop(): void {
    if (!this.reading || this.closed) return;
    this.reading = false;
    this.handle.readStop();
  }

  write(chunk: Uint8Array, recycle = false): boolean {
    if (this.closed || this.ended) return true;
    let req = this.spare;
    if (req === undefined) {
      req = this.b.newWriteReq();
      req.handle = this.handle;
      req.oncomplete = afterRawWrite;
      req.async = false;
      req.owner = this;
      req.buffer = null;
      req.recycle = false;
    }
    const err = this.handle.writeBuffer(req, chunk);
    if (err !== 0) {
      this.spare = undefined;
      this.fail(err);
      return true;
    }
    if (!this.b.lastWriteWasAsync()) {
      this.spare = req;
      if (recycle) recycleChunk(chunk); // the kernel has every byte
      return true;
    }
    this.spare = undefined; // libuv holds this one until the write completes
    req.buffer = chunk; // libuv writes the rest from this memory later: keep it alive
    req.recycle = recycle;
    this.pending++;
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < WRITE_HIGH_WATER) return true;
    this.needDrain = true;
    return false;
  }

  end(done?: () => void): void {
    if (this.closed || this.ended) return void done?.();
    this.ended = true;
    this.onEnded = done;
    const req = this.b.newShutdownReq();
    req.handle = this.handle;
    req.oncomplete = afterRawShutdown;
    req.owner = this;
    this.shutting = true;
    if (this.handle.shutdown(req) !== 0) this.shutdownDone();
  }

  shutdownDone(): void {
    this.shutting = false;
    const done = this.onEnded;
    this.onEnded = undefined;
    done?.();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handle.onread = ignoreRead;
    this.handle.close();
  }

  reset(): void {
    if (this.closed) return;
    this.closed = true;
    this.handle.onread = ignoreRead;
    // libuv refuses a reset while a shutdown is in flight (uv_tcp_close_reset: EINVAL), and Node
    // marks the handle closing all the same (TCPWrap::Reset), so a close() after it does nothing:
    // the handle is never closed, and at exit Node spins forever (100% CPU) in
    // Environment::CleanupHandles waiting for it. With a FIN on its way, close plainly instead.
    if (this.shutting) return this.handle.close();
    if (this.handle.reset() !== 0) this.handle.close();
  }

  fail(errno: number): void {
    if (this.closed) return;
    this.handler.onError(errorName(errno));
  }

  /** Called by the write callback. */
  writeDone(status: number, bytes: number): void {
    this.pending--;
    this.pendingBytes -= bytes;
    if (this.closed) return;
    if (status < 0) return this.fail(status);
    if (this.pending === 0 && this.needDrain) {
      this.needDrain = false;
      this.handler.onDrain();
    }
  }

  /** Called by the read callback. */
  read(buffer: ArrayBuffer | undefined): void {
    let n: number;
    let chunk: Uint8Array | undefined;
    // Only the binding's side is guarded (a Node whose read state moved fails this socket, and the
    // self-test, instead of the process); the handler's own exceptions propagate as before.
    try {
      n = this.b.readResult();
      if (n > 0) {
        if (buffer === undefined) {
          // Read into READ_BUFFER (useUserBuffer): copy out what was read.
          chunk = copyChunk(READ_BUFFER, n);
        } else {
          chunk = new Uint8Array(buffer, this.b.readOffset(), n);
        }
      }
    } catch (err) {
      if (!this.closed) this.handler.onError(`EBADREAD (${(err as Error).message})`);
      return;
    }
    if (chunk) return this.handler.onData(chunk);
    if (n === 0) return;
    if (n === UV_EOF) {
      this.readStop();
      return this.handler.onEnd();
    }
    this.fail(n);
  }
}

function ignoreRead(): void {}

function onRawRead(this: RawTcpHandle, buffer: ArrayBuffer | undefined): void {
  (this as Owned)[OWNER]?.read(buffer);
}

function afterRawWrite(this: RawWriteReq, status: number): void {
  const buffer = this.buffer;
  this.buffer = null;
  if (this.recycle && buffer !== null) recycleChunk(buffer); // libuv is done with this memory
  (this.owner as RawEndpoint).writeDone(status, buffer?.length ?? 0);
}

function afterRawShutdown(this: RawShutdownReq): void {
  (this.owner as RawEndpoint).shutdownDone();
}

// ---------------------------------------------------------------------------------------------
// net sockets (fallback)

class NetEndpoint implements Endpoint {
  handler = IDLE;
  closed = false;

  constructor(private readonly socket: Socket) {
    socket.pause();
    socket.on('data', (chunk: Buffer) => this.handler.onData(chunk));
    socket.on('end', () => this.handler.onEnd());
    socket.on('drain', () => this.handler.onDrain());
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!this.closed) this.handler.onError(err.code ?? 'EIO');
    });
  }

  get busy(): boolean {
    return this.socket.writableLength > 0;
  }

  setNoDelay(): void {
    this.socket.setNoDelay(true);
  }

  readStart(): void {
    if (!this.closed) this.socket.resume();
  }

  readStop(): void {
    if (!this.closed) this.socket.pause();
  }

  // `recycle` is not honoured: net keeps chunks until written and says when only per socket. A
  // pooled chunk written here is simply left to the garbage collector.
  write(chunk: Uint8Array): boolean {
    if (this.closed || this.socket.writableEnded) return true;
    return this.socket.write(chunk);
  }

  end(done?: () => void): void {
    if (this.closed || this.socket.writableEnded) return void done?.();
    this.socket.end(done);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
  }

  reset(): void {
    if (this.closed) return;
    this.closed = true;
    // Ended but not finished: the shutdown may be in flight, and a reset then leaves the handle
    // open for good (see RawEndpoint.reset). Close plainly instead.
    if (this.socket.writableEnded && !this.socket.writableFinished) this.socket.destroy();
    else this.socket.resetAndDestroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Listening and connecting

export interface Listener {
  readonly host: string;
  readonly port: number;
  close(): void;
}

/** A listen failure with the errno name (EADDRINUSE, EACCES, EADDRNOTAVAIL, …). */
export class ListenError extends Error {
  constructor(
    readonly code: string,
    host: string,
    port: number,
  ) {
    super(`listen tcp ${formatHostPort(host, port)}: ${describeErrno(code)}`);
  }
}

export function formatHostPort(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

function describeErrno(code: string): string {
  const known: Record<string, string> = {
    EADDRINUSE: 'bind: address already in use',
    EACCES: 'bind: permission denied',
    EADDRNOTAVAIL: 'bind: cannot assign requested address',
    ECONNREFUSED: 'connection refused',
  };
  return known[code] ?? code;
}

/**
 * How a worker of `faultline proxy --workers N` shares its port (workers/sharing.ts): its own
 * socket with SO_REUSEPORT (`reusePortFlag`: libuv's UV_TCP_REUSEPORT), or the primary's bound
 * socket received over IPC, on which it only listens.
 */
export type ListenShare = { reusePortFlag: number } | { handle: RawTcpHandle };

/** Listens on an IP address (resolve names first). Rejects with ListenError. */
export async function listenTcp(ip: string, port: number, onConnection: (ep: Endpoint) => void, transport: Transport, share?: ListenShare): Promise<Listener> {
  if (transport === 'raw') return listenRaw(requireRaw(), ip, port, onConnection, share);
  return listenNet(ip, port, onConnection, share);
}

function requireRaw(): RawBinding {
  const b = rawBinding();
  if (!b) throw new Error(`the raw TCP transport is not available: ${rawBindingProblem()}`);
  return b;
}

function listenRaw(b: RawBinding, ip: string, port: number, onConnection: (ep: Endpoint) => void, share?: ListenShare): Listener {
  const given = share && 'handle' in share ? share.handle : undefined;
  const server = given ?? b.newServer();
  const flags = share && 'reusePortFlag' in share ? share.reusePortFlag : 0;
  let err = given ? 0 : isIPv6(ip) ? server.bind6(ip, port, flags) : flags ? server.bind(ip, port, flags) : server.bind(ip, port);
  if (err === 0) err = server.listen(4096);
  if (err !== 0) {
    server.close();
    throw new ListenError(errorName(err), ip, port);
  }
  const addr: { address?: string; port?: number } = {};
  server.getsockname(addr);
  server.onconnection = (status, handle) => {
    if (status === 0 && handle) onConnection(new RawEndpoint(handle, b));
  };
  let closed = false;
  return {
    host: addr.address ?? ip,
    port: addr.port ?? port,
    close() {
      if (closed) return;
      closed = true;
      server.onconnection = null;
      server.close();
    },
  };
}

function listenNet(ip: string, port: number, onConnection: (ep: Endpoint) => void, share?: ListenShare): Promise<Listener> {
  const server: Server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => onConnection(new NetEndpoint(socket)));
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new ListenError(err.code ?? 'EIO', ip, port)));
    const ready = () => {
      const addr = server.address() as { address: string; port: number };
      let closed = false;
      resolve({
        host: addr.address,
        port: addr.port,
        close() {
          if (closed) return;
          closed = true;
          server.close();
        },
      });
    };
    // net.Server.listen takes a raw TCP handle as is (as node:cluster's workers do); `reusePort` is Node 22.12+.
    if (share && 'handle' in share) server.listen(share.handle as unknown as { fd: number }, 4096, ready);
    else server.listen({ host: ip, port, backlog: 4096, ...(share ? { reusePort: true } : {}) }, ready);
  });
}

/** Connects to an IP address; `done` gets the endpoint or the errno name. */
export function connectTcp(ip: string, port: number, done: (err: string | undefined, ep?: Endpoint) => void, transport: Transport): void {
  if (transport === 'raw') return connectRaw(requireRaw(), ip, port, done);
  const socket = netConnect({ host: ip, port, allowHalfOpen: true });
  const onError = (err: NodeJS.ErrnoException) => done(err.code ?? 'EIO');
  socket.once('error', onError);
  socket.once('connect', () => {
    socket.off('error', onError);
    done(undefined, new NetEndpoint(socket));
  });
}

interface PendingConnect extends RawConnectReq {
  done: (err: string | undefined, ep?: Endpoint) => void;
  tcp: RawTcpHandle;
  b: RawBinding;
}

function connectRaw(b: RawBinding, ip: string, port: number, done: (err: string | undefined, ep?: Endpoint) => void): void {
  const handle = b.newSocket();
  const req = b.newConnectReq() as PendingConnect;
  req.oncomplete = afterRawConnect;
  req.address = ip;
  req.port = port;
  req.done = done;
  req.tcp = handle;
  req.b = b;
  const err = isIPv6(ip) ? handle.connect6(req, ip, port) : handle.connect(req, ip, port);
  if (err !== 0) {
    handle.close();
    queueMicrotask(() => done(errorName(err)));
  }
}

function afterRawConnect(this: RawConnectReq, status: number): void {
  const req = this as PendingConnect;
  if (status !== 0) {
    req.tcp.close();
    return req.done(errorName(status));
  }
  req.done(undefined, new RawEndpoint(req.tcp, req.b));
}
