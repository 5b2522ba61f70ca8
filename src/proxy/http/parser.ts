/**
 * HTTP/1.1 message framing, incremental and byte-exact: where a head ends and how long the body
 * is (Content-Length, chunked, until close, none). Only what the HTTP toxics need; anything it
 * cannot follow makes the caller stop interpreting the stream and pass bytes through.
 */

const CR = 13;
const LF = 10;
const MAX_HEAD = 64 * 1024;

export class HttpFramingError extends Error {}

export interface MessageHead {
  /** Request: method, target. Response: status. */
  method: string;
  target: string;
  status: number;
  /** '1.0' or '1.1'. */
  version: string;
  headers: Map<string, string>;
  bytes: Buffer;
}

/** Collects a message head (start line and headers) across chunks. */
export class HeadReader {
  private parts: Uint8Array[] = [];
  private size = 0;
  /** 0: in a line, 1: after LF, 2: after LF CR. -1: no line content yet (leading empty lines). */
  private state = -1;

  get empty(): boolean {
    return this.size === 0;
  }

  /** Takes bytes from chunk[start:]. Returns the index just past the head, or -1 (all taken, head continues). */
  feed(chunk: Uint8Array, start: number): number {
    let state = this.state;
    for (let i = start; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (state === -1) {
        if (c !== CR && c !== LF) state = 0;
      } else if (c === LF) {
        if (state === 1 || state === 2) {
          this.state = -1;
          this.append(chunk.subarray(start, i + 1));
          return i + 1;
        }
        state = 1;
      } else if (c === CR) {
        state = state === 1 ? 2 : 0;
      } else {
        state = 0;
      }
    }
    this.state = state;
    this.append(chunk.subarray(start));
    if (this.size > MAX_HEAD) throw new HttpFramingError('head larger than 64 KiB');
    return -1;
  }

  /** The head's bytes (what was fed), and resets. */
  take(): Buffer {
    const bytes = this.parts.length === 1 ? Buffer.from(this.parts[0]!.buffer, this.parts[0]!.byteOffset, this.parts[0]!.byteLength) : Buffer.concat(this.parts);
    this.parts = [];
    this.size = 0;
    this.state = -1;
    return bytes;
  }

  private append(part: Uint8Array): void {
    if (part.length === 0) return;
    this.parts.push(part);
    this.size += part.length;
  }
}

export function parseHead(bytes: Buffer, kind: 'request' | 'response'): MessageHead {
  const text = bytes.toString('latin1');
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[0] === '') lines.shift();
  const first = lines.shift() ?? '';
  const headers = new Map<string, string>();
  for (const line of lines) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HttpFramingError(`bad header line ${JSON.stringify(line.slice(0, 40))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const prev = headers.get(name);
    headers.set(name, prev === undefined ? value : `${prev}, ${value}`);
  }
  if (kind === 'request') {
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/(1\.[01])$/.exec(first);
    if (!m) throw new HttpFramingError(`not an HTTP/1.x request line: ${JSON.stringify(first.slice(0, 60))}`);
    return { method: m[1]!, target: m[2]!, status: 0, version: m[3]!, headers, bytes };
  }
  const m = /^HTTP\/(1\.[01]) (\d{3})(?: .*)?$/.exec(first);
  if (!m) throw new HttpFramingError(`not an HTTP/1.x status line: ${JSON.stringify(first.slice(0, 60))}`);
  return { method: '', target: '', status: Number(m[2]), version: m[1]!, headers, bytes };
}

const REQUEST_START = /^[A-Z]{3,12} \S+ HTTP\/1\.[01]\r?\n/;
const RESPONSE_START = /^HTTP\/1\.[01] \d{3}/;

/** Whether a chunk plausibly starts a request (used to pick up a connection mid-stream). */
export function looksLikeRequestStart(chunk: Uint8Array): boolean {
  return REQUEST_START.test(Buffer.from(chunk.buffer, chunk.byteOffset, Math.min(chunk.length, 512)).toString('latin1'));
}

export function looksLikeResponseStart(chunk: Uint8Array): boolean {
  return RESPONSE_START.test(Buffer.from(chunk.buffer, chunk.byteOffset, Math.min(chunk.length, 16)).toString('latin1'));
}

export type BodyFraming = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };

function contentLength(head: MessageHead): number | undefined {
  const raw = head.headers.get('content-length');
  if (raw === undefined) return undefined;
  const first = raw.split(',')[0]!.trim();
  if (!/^\d+$/.test(first)) throw new HttpFramingError(`bad content-length ${JSON.stringify(raw)}`);
  return Number(first);
}

function isChunked(head: MessageHead): boolean {
  const te = head.headers.get('transfer-encoding');
  return te !== undefined && /(^|,)\s*chunked\s*$/i.test(te);
}

export function requestFraming(head: MessageHead): BodyFraming {
  if (isChunked(head)) return { kind: 'chunked' };
  const length = contentLength(head);
  return length ? { kind: 'length', length } : { kind: 'none' };
}

export function responseFraming(head: MessageHead, requestMethod: string): BodyFraming {
  const s = head.status;
  if (requestMethod === 'HEAD' || (s >= 100 && s < 200) || s === 204 || s === 304) return { kind: 'none' };
  if (isChunked(head)) return { kind: 'chunked' };
  const length = contentLength(head);
  if (length !== undefined) return length > 0 ? { kind: 'length', length } : { kind: 'none' };
  return { kind: 'close' };
}

/** Whether the connection stays open after this exchange, from the request's point of view. */
export function keepsAlive(head: MessageHead): boolean {
  const conn = (head.headers.get('connection') ?? '').toLowerCase();
  return head.version === '1.1' ? !/\bclose\b/.test(conn) : /\bkeep-alive\b/.test(conn);
}

/** CONNECT, or an Upgrade request: after it the connection is a tunnel. */
export function startsTunnel(head: MessageHead): boolean {
  if (head.method === 'CONNECT') return true;
  return head.headers.has('upgrade') && /\bupgrade\b/i.test(head.headers.get('connection') ?? '');
}

const enum Chunked {
  Size,
  Ext,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  TrailerStart,
  TrailerLine,
  TrailerLf,
}

/** Follows one message body. */
export class BodyReader {
  private framing: BodyFraming = { kind: 'none' };
  private remaining = 0;
  private state = Chunked.Size;
  private size = 0;
  private sawDigit = false;

  get kind(): BodyFraming['kind'] {
    return this.framing.kind;
  }

  start(framing: BodyFraming): void {
    this.framing = framing;
    this.remaining = framing.kind === 'length' ? framing.length : 0;
    this.state = Chunked.Size;
    this.size = 0;
    this.sawDigit = false;
  }

  /** Takes body bytes from chunk[start:]. Returns the index just past the body's end, or -1 (the body goes on). */
  feed(chunk: Uint8Array, start: number): number {
    switch (this.framing.kind) {
      case 'none':
        return start;
      case 'close':
        return -1;
      case 'length': {
        const take = Math.min(this.remaining, chunk.length - start);
        this.remaining -= take;
        return this.remaining === 0 ? start + take : -1;
      }
      case 'chunked':
        return this.feedChunked(chunk, start);
    }
  }

  private feedChunked(chunk: Uint8Array, start: number): number {
    let i = start;
    while (i < chunk.length) {
      const c = chunk[i]!;
      switch (this.state) {
        case Chunked.Size: {
          const v = hexValue(c);
          if (v >= 0) {
            this.size = this.size * 16 + v;
            this.sawDigit = true;
            if (this.size > Number.MAX_SAFE_INTEGER / 16) throw new HttpFramingError('chunk size too large');
          } else if (c === CR) this.state = Chunked.SizeLf;
          else if (c === LF) this.endSizeLine();
          else if (c === 0x3b || c === 0x20 || c === 0x09) this.state = Chunked.Ext;
          else throw new HttpFramingError('bad chunk size');
          i++;
          break;
        }
        case Chunked.Ext:
          if (c === LF) this.endSizeLine();
          i++;
          break;
        case Chunked.SizeLf:
          if (c !== LF) throw new HttpFramingError('bad chunk size line');
          this.endSizeLine();
          i++;
          break;
        case Chunked.Data: {
          const take = Math.min(this.remaining, chunk.length - i);
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) this.state = Chunked.DataCr;
          break;
        }
        case Chunked.DataCr:
          if (c === CR) this.state = Chunked.DataLf;
          else if (c === LF) this.state = Chunked.Size;
          else throw new HttpFramingError('missing CRLF after chunk');
          i++;
          break;
        case Chunked.DataLf:
          if (c !== LF) throw new HttpFramingError('missing LF after chunk');
          this.state = Chunked.Size;
          i++;
          break;
        case Chunked.TrailerStart:
          i++;
          if (c === LF) return i;
          this.state = c === CR ? Chunked.TrailerLf : Chunked.TrailerLine;
          break;
        case Chunked.TrailerLf:
          i++;
          if (c === LF) return i;
          throw new HttpFramingError('bad end of chunked body');
        case Chunked.TrailerLine:
          if (c === LF) this.state = Chunked.TrailerStart;
          i++;
          break;
      }
    }
    return -1;
  }

  private endSizeLine(): void {
    if (!this.sawDigit) throw new HttpFramingError('empty chunk size');
    this.remaining = this.size;
    this.state = this.size === 0 ? Chunked.TrailerStart : Chunked.Data;
    this.size = 0;
    this.sawDigit = false;
  }
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
