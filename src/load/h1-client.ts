/**
 * The load generator's HTTP/1.1 client for plain http: one keep-alive connection on a net socket,
 * requests written as pre-built bytes, responses parsed only as far as the load needs — the status
 * and the framing (Content-Length, chunked, or until close; Connection: close) — with no header
 * objects, strings or per-request allocations beyond the socket's own. https goes through undici.
 *
 * Every request handed to dispatch() gets exactly one of onComplete() or onError(). Errors carry
 * the codes undici uses for the same conditions (engine.ts's errorCode() names them): the
 * socket's own (ECONNREFUSED, ECONNRESET …), UND_ERR_SOCKET (closed with requests in flight),
 * UND_ERR_HEADERS_TIMEOUT (no progress for `timeoutMs` with a request in flight),
 * UND_ERR_CONNECT_TIMEOUT, and HPE_INVALID_RESPONSE for bytes that are not HTTP/1.x.
 */
import { connect, type Socket } from 'node:net';
import type { PreparedRequest } from './mix.js';

export interface ResponseHandler {
  onHeaders(status: number): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  onError(err: Error): void;
}

/**
 * A connection idle this long is not reused: servers close idle keep-alive connections (Node's
 * after 5 s), and a request written as the close arrives would fail through no fault of the
 * server. A `Keep-Alive: timeout=N` from the server shortens it to N - 1 s (as undici does).
 */
const IDLE_REUSE_MS = 4000;
/** A head larger than this without its end is not a response worth waiting for. */
const MAX_HEAD_BYTES = 64 * 1024;
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');

const enum State {
  Head,
  Body,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailers,
  UntilClose,
}

function codedError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** One connection: its socket, the requests on it (oldest first) and the response parser's state. */
class Connection {
  readonly socket: Socket;
  readonly queue: { handler: ResponseHandler; head: boolean }[] = [];
  #state = State.Head;
  #remaining = 0;
  #pending: Buffer | undefined;
  #closeAfter = false;
  #connected = false;
  dead = false;
  /** performance.now() the last response completed (or the connection opened), while nothing is in flight. */
  idleSince = performance.now();
  reuseMs = IDLE_REUSE_MS;

  constructor(
    readonly client: H1Client,
    port: number,
    host: string,
    timeoutMs: number,
  ) {
    this.socket = connect({ port, host, noDelay: true });
    this.socket.setTimeout(timeoutMs);
    this.socket.on('connect', () => (this.#connected = true));
    this.socket.on('data', (chunk: Buffer) => this.#read(chunk));
    this.socket.on('timeout', () => {
      if (this.queue.length === 0) return; // an idle keep-alive connection may sit
      this.fail(this.#connected ? codedError('UND_ERR_HEADERS_TIMEOUT', `no response within ${timeoutMs} ms`) : codedError('UND_ERR_CONNECT_TIMEOUT', `no connection within ${timeoutMs} ms`));
    });
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => {
      if (this.#state === State.UntilClose && this.queue.length > 0) this.#complete();
      this.fail(codedError('UND_ERR_SOCKET', 'the server closed the connection'));
    });
  }

  send(request: PreparedRequest, handler: ResponseHandler): void {
    this.queue.push({ handler, head: request.head });
    this.socket.write(request.bytes);
  }

  /** The connection is done for: every request still on it fails with `err`, once. */
  fail(err: Error): void {
    if (!this.dead) {
      this.dead = true;
      this.client.forget(this);
      this.socket.destroy();
    }
    const failed = this.queue.splice(0);
    for (const r of failed) r.handler.onError(err);
  }

  #read(chunk: Buffer): void {
    let buf = chunk;
    if (this.#pending !== undefined) {
      buf = Buffer.concat([this.#pending, chunk]);
      this.#pending = undefined;
    }
    let pos = 0;
    while (pos < buf.length && !this.dead) {
      switch (this.#state) {
        case State.Head: {
          const end = buf.indexOf(CRLFCRLF, pos);
          if (end < 0) return this.#keep(buf, pos);
          const next = end + 4;
          if (!this.#head(buf, pos, end)) return;
          pos = next;
          break;
        }
        case State.Body:
        case State.ChunkData: {
          const n = Math.min(this.#remaining, buf.length - pos);
          this.queue[0]!.handler.onData(buf.subarray(pos, pos + n));
          pos += n;
          this.#remaining -= n;
          if (this.#remaining === 0) {
            if (this.#state === State.Body) this.#complete();
            else this.#state = State.ChunkEnd;
          }
          break;
        }
        case State.ChunkSize: {
          const end = buf.indexOf(CRLF, pos);
          if (end < 0) return this.#keep(buf, pos);
          let size = 0;
          let digits = 0;
          for (let i = pos; i < end; i++) {
            const d = hexDigit(buf[i]!);
            if (d < 0) break; // chunk extensions (";…") and whitespace end the size
            size = size * 16 + d;
            digits++;
          }
          if (digits === 0) return this.fail(codedError('HPE_INVALID_CHUNK_SIZE', 'invalid chunk size in a chunked response'));
          pos = end + 2;
          if (size === 0) this.#state = State.Trailers;
          else {
            this.#remaining = size;
            this.#state = State.ChunkData;
          }
          break;
        }
        case State.ChunkEnd:
          if (buf.length - pos < 2) return this.#keep(buf, pos);
          pos += 2;
          this.#state = State.ChunkSize;
          break;
        case State.Trailers: {
          // Trailer lines up to an empty one; nothing here needs them.
          const end = buf.indexOf(CRLF, pos);
          if (end < 0) return this.#keep(buf, pos);
          const empty = end === pos;
          pos = end + 2;
          if (empty) this.#complete();
          break;
        }
        case State.UntilClose:
          this.queue[0]!.handler.onData(buf.subarray(pos));
          pos = buf.length;
          break;
      }
    }
  }

  #keep(buf: Buffer, pos: number): void {
    if (buf.length - pos > MAX_HEAD_BYTES) return this.fail(codedError('HPE_HEADER_OVERFLOW', `a response head larger than ${MAX_HEAD_BYTES} bytes`));
    this.#pending = buf.subarray(pos);
  }

  /** Reads the head in buf[pos, end): the status and the framing. False when the connection failed. */
  #head(buf: Buffer, pos: number, end: number): boolean {
    // "HTTP/1.x SSS"
    if (end - pos < 12 || buf[pos] !== 0x48 || buf[pos + 4] !== 0x2f || buf[pos + 8] !== 0x20) {
      this.fail(codedError('HPE_INVALID_RESPONSE', 'the server did not answer with HTTP/1.x'));
      return false;
    }
    const status = (buf[pos + 9]! - 48) * 100 + (buf[pos + 10]! - 48) * 10 + (buf[pos + 11]! - 48);
    const http10 = buf[pos + 7] === 0x30;
    const request = this.queue[0];
    if (request === undefined) {
      this.fail(codedError('HPE_INVALID_RESPONSE', 'a response with no request'));
      return false;
    }
    if (status >= 100 && status < 200) return true; // 100 Continue and friends: the real head follows
    let length = -1;
    let chunked = false;
    let close = http10;
    let line = buf.indexOf(CRLF, pos) + 2;
    while (line < end) {
      let eol = buf.indexOf(CRLF, line);
      if (eol < 0 || eol > end) eol = end;
      const colon = buf.indexOf(0x3a, line);
      if (colon > line && colon < eol) {
        const n = colon - line;
        if (n === 14 && nameIs(buf, line, 'content-length')) length = parseDecimal(buf, colon + 1, eol);
        else if (n === 17 && nameIs(buf, line, 'transfer-encoding')) chunked = valueHas(buf, colon + 1, eol, 'chunked');
        else if (n === 10 && nameIs(buf, line, 'connection')) {
          if (valueHas(buf, colon + 1, eol, 'close')) close = true;
          else if (valueHas(buf, colon + 1, eol, 'keep-alive')) close = false;
        } else if (n === 10 && nameIs(buf, line, 'keep-alive')) {
          const at = indexOfWord(buf, colon + 1, eol, 'timeout=');
          const seconds = at < 0 ? -1 : parseDecimal(buf, at + 8, eol);
          if (seconds > 0) this.reuseMs = Math.min(IDLE_REUSE_MS, seconds * 1000 - 1000);
        }
      }
      line = eol + 2;
    }
    this.#closeAfter = close;
    request.handler.onHeaders(status);
    if (request.head || status === 204 || status === 304) this.#complete();
    else if (chunked) this.#state = State.ChunkSize;
    else if (length >= 0) {
      if (length === 0) this.#complete();
      else {
        this.#remaining = length;
        this.#state = State.Body;
      }
    } else this.#state = State.UntilClose;
    return !this.dead;
  }

  /** The oldest request's response is complete. */
  #complete(): void {
    const request = this.queue.shift()!;
    this.#state = State.Head;
    if (this.queue.length === 0) this.idleSince = performance.now();
    if (this.#closeAfter) {
      // The server closes after this response: new requests go to a new connection.
      this.dead = true;
      this.client.forget(this);
      this.socket.destroy();
    }
    request.handler.onComplete();
    if (this.dead) this.fail(codedError('UND_ERR_SOCKET', 'the server closed the connection'));
  }
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** buf[at, at + name.length) equals `name` (lowercase ASCII), ignoring case. */
function nameIs(buf: Buffer, at: number, name: string): boolean {
  for (let i = 0; i < name.length; i++) if ((buf[at + i]! | 0x20) !== name.charCodeAt(i)) return false;
  return true;
}

function parseDecimal(buf: Buffer, from: number, to: number): number {
  let n = -1;
  for (let i = from; i < to; i++) {
    const c = buf[i]!;
    if (c === 0x20 || c === 0x09) continue;
    if (c < 48 || c > 57) break;
    n = (n < 0 ? 0 : n * 10) + (c - 48);
  }
  return n;
}

/** The header value in buf[from, to) contains `word` (lowercase), ignoring case. */
function valueHas(buf: Buffer, from: number, to: number, word: string): boolean {
  return indexOfWord(buf, from, to, word) >= 0;
}

function indexOfWord(buf: Buffer, from: number, to: number, word: string): number {
  outer: for (let i = from; i + word.length <= to; i++) {
    for (let j = 0; j < word.length; j++) if ((buf[i + j]! | 0x20) !== word.charCodeAt(j)) continue outer;
    return i;
  }
  return -1;
}

/** Requests to one origin over one connection at a time (reopened when it closes), `pipelining` in flight at most (the engine's slots see to it). */
export class H1Client {
  #connection: Connection | undefined;
  #closed = false;

  constructor(
    readonly port: number,
    readonly host: string,
    readonly timeoutMs: number,
  ) {}

  dispatch(request: PreparedRequest, handler: ResponseHandler): void {
    if (this.#closed) {
      handler.onError(codedError('UND_ERR_DESTROYED', 'the client is closed'));
      return;
    }
    const c = this.#connection;
    if (c !== undefined && c.queue.length === 0 && performance.now() - c.idleSince > c.reuseMs) {
      // Idle too long: the server may be closing it right now. Retire it quietly.
      this.#connection = undefined;
      c.dead = true;
      c.socket.destroy();
    }
    this.#connection ??= new Connection(this, this.port, this.host, this.timeoutMs);
    this.#connection.send(request, handler);
  }

  /** A connection that died: the next request opens another. */
  forget(connection: Connection): void {
    if (this.#connection === connection) this.#connection = undefined;
  }

  destroy(): Promise<void> {
    this.#closed = true;
    const c = this.#connection;
    this.#connection = undefined;
    if (c === undefined || c.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      c.socket.once('close', () => resolve());
      c.fail(codedError('UND_ERR_DESTROYED', 'the client is closed'));
    });
  }
}
