/**
 * Node's own TCP handles (libuv `uv_tcp_t` wrappers), the layer `net.Socket` is built on.
 *
 * Why: a proxy pays for two sockets per connection, and `net.Socket` (a full Duplex stream with
 * its buffering, events and per-read Buffers) costs more CPU per connection than the accept,
 * connect, read, write and close syscalls themselves. Driving the handles directly, as `net`
 * does internally, makes connection setup about 1.5x faster (see bench/RESULTS.md) and keeps the
 * no-toxic path to one read and one write per chunk.
 *
 * `process.binding('tcp_wrap')` and `('stream_wrap')` are on Node's allow-list but deprecated for
 * new code. If they are missing or change shape, `rawBinding()` returns undefined (and
 * `rawBindingProblem()` says why). A binding that loads is still not trusted until it has echoed
 * bytes correctly (self-test.ts); transport.ts decides between it and `net` sockets, which behave
 * the same, only slower.
 */

/** A libuv TCP handle as Node's `tcp_wrap` exposes it. Return values are 0 or a negative errno. */
export interface RawTcpHandle {
  /** Must always be a function (Node asserts it). */
  onread: (this: RawTcpHandle, buffer: ArrayBuffer | undefined) => void;
  onconnection: ((err: number, handle?: RawTcpHandle) => void) | null;
  readStart(): number;
  readStop(): number;
  writeBuffer(req: RawWriteReq, data: Uint8Array): number;
  shutdown(req: RawShutdownReq): number;
  close(callback?: () => void): void;
  reset(callback?: () => void): number;
  setNoDelay(enable: boolean): number;
  /** `flags` (UV_TCP_REUSEPORT) is taken by Node 22.12+ only. */
  bind(address: string, port: number, flags?: number): number;
  bind6(address: string, port: number, flags: number): number;
  listen(backlog: number): number;
  connect(req: RawConnectReq, address: string, port: number): number;
  connect6(req: RawConnectReq, address: string, port: number): number;
  getsockname(out: { address?: string; port?: number; family?: string }): number;
  getpeername(out: { address?: string; port?: number; family?: string }): number;
  ref(): void;
  unref(): void;
  /** Reads go into this memory (onread then gets no ArrayBuffer) instead of a fresh 64 KiB allocation per read. */
  useUserBuffer?(buffer: Uint8Array): void;
}

export interface RawWriteReq {
  handle: RawTcpHandle;
  oncomplete: (this: RawWriteReq, status: number) => void;
  async: boolean;
  buffer: Uint8Array | null;
  /** Give `buffer`'s slab back to chunk-pool.ts once the write completes. */
  recycle: boolean;
  owner: unknown;
}

export interface RawShutdownReq {
  handle: RawTcpHandle;
  oncomplete: (this: RawShutdownReq, status: number) => void;
  owner: unknown;
}

export interface RawConnectReq {
  oncomplete: (this: RawConnectReq, status: number) => void;
  address: string;
  port: number;
  owner: unknown;
}

export interface RawBinding {
  newSocket(): RawTcpHandle;
  newServer(): RawTcpHandle;
  newWriteReq(): RawWriteReq;
  newShutdownReq(): RawShutdownReq;
  newConnectReq(): RawConnectReq;
  /** Bytes read (> 0), or a negative errno (UV_EOF at end of stream), for the read being delivered. */
  readResult(): number;
  readOffset(): number;
  /** Whether the last writeBuffer() left data queued (the write completes later). */
  lastWriteWasAsync(): boolean;
}

interface TcpWrapModule {
  TCP: new (type: number) => RawTcpHandle;
  TCPConnectWrap: new () => RawConnectReq;
  constants: { SOCKET: number; SERVER: number };
}

interface StreamWrapModule {
  WriteWrap: new () => RawWriteReq;
  ShutdownWrap: new () => RawShutdownReq;
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kArrayBufferOffset: number;
  kLastWriteWasAsync: number;
}

let cached: { binding: RawBinding } | { problem: string } | undefined;

/** The raw TCP binding, or undefined when this Node does not offer it in the shape this code expects. */
export function rawBinding(): RawBinding | undefined {
  cached ??= load();
  return 'binding' in cached ? cached.binding : undefined;
}

/** Why rawBinding() is undefined (undefined when it is not). */
export function rawBindingProblem(): string | undefined {
  cached ??= load();
  return 'problem' in cached ? cached.problem : undefined;
}

function load(): { binding: RawBinding } | { problem: string } {
  const problem = (what: string) => ({ problem: `process.binding('tcp_wrap'/'stream_wrap') on Node ${process.version}: ${what}` });
  try {
    const binding = (process as unknown as { binding?: (name: string) => unknown }).binding;
    if (typeof binding !== 'function') return problem('process.binding is not a function');
    const tcp = binding.call(process, 'tcp_wrap') as TcpWrapModule;
    const stream = binding.call(process, 'stream_wrap') as StreamWrapModule;
    const { TCP, TCPConnectWrap, constants } = tcp;
    const { WriteWrap, ShutdownWrap, streamBaseState: state, kReadBytesOrError, kArrayBufferOffset, kLastWriteWasAsync } = stream;
    if (typeof TCP !== 'function' || typeof TCPConnectWrap !== 'function' || typeof WriteWrap !== 'function' || typeof ShutdownWrap !== 'function') {
      return problem('TCP, TCPConnectWrap, WriteWrap or ShutdownWrap is missing');
    }
    if (!(state instanceof Int32Array)) return problem('streamBaseState is not an Int32Array');
    if (![kReadBytesOrError, kArrayBufferOffset, kLastWriteWasAsync].every(Number.isInteger)) return problem('the streamBaseState indexes are missing');
    const probe = new TCP(constants.SOCKET);
    const methods = ['readStart', 'readStop', 'writeBuffer', 'shutdown', 'reset', 'connect', 'bind', 'listen', 'getsockname', 'setNoDelay'];
    const absent = methods.filter((m) => typeof (probe as unknown as Record<string, unknown>)[m] !== 'function');
    probe.close();
    if (absent.length > 0) return problem(`a TCP handle has no ${absent.join(', ')}`);
    return {
      binding: {
        newSocket: () => new TCP(constants.SOCKET),
        newServer: () => new TCP(constants.SERVER),
        newWriteReq: () => new WriteWrap(),
        newShutdownReq: () => new ShutdownWrap(),
        newConnectReq: () => new TCPConnectWrap(),
        readResult: () => state[kReadBytesOrError]!,
        readOffset: () => state[kArrayBufferOffset]!,
        lastWriteWasAsync: () => state[kLastWriteWasAsync] !== 0,
      },
    };
  } catch (err) {
    return problem(`loading it threw: ${(err as Error).message}`);
  }
}
