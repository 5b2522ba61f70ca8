/**
 * Request bodies and malformed requests on the API, answered so that keep-alive clients survive
 * them: an oversized body gets 413, one that is not JSON or is framed wrongly gets 400, each with
 * `Connection: close` — the client opens a fresh connection for its next request instead of
 * reusing one the server is about to drop (which, before, failed that next request with
 * ECONNRESET).
 *
 * The rule behind the details: close a connection only once nothing unread is left on it (up to a
 * bound). A socket closed with unread bytes sends RST, and an RST can destroy the answer before
 * the client reads it. So an oversized body is read to its end and dropped before the 413 (bodies
 * past DRAIN_LIMIT get theirs at once), and after a malformed request the server half-closes,
 * drops what still comes for a moment, then closes (RFC 9112 §9.6's staged close).
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError } from '../collection.js';

export const MAX_BODY = 1024 * 1024;
/** Past MAX_BODY, at most this many more bytes are read (and dropped) before the 413 goes out. */
const DRAIN_LIMIT = 16 * 1024 * 1024;
/** After answering a malformed request, how long the server drops what the client still sends before it closes. */
const LINGER_MS = 1000;

/** An error about the request body itself: answered, and then the connection is closed. */
export class BodyError extends ApiError {}

/** The body as JSON (undefined when empty). Rejects with BodyError: 413 over MAX_BODY, 400 when it is not JSON or the client went away. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = (await readBody(req)).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BodyError(`bad request body: ${(err as Error).message}`, 400);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  const tooLarge = () => new BodyError(`request body too large: the limit is ${MAX_BODY} bytes (1 MiB)`, 413);
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    if (Number(req.headers['content-length']) > MAX_BODY + DRAIN_LIMIT) {
      req.resume();
      return reject(tooLarge());
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) return void parts.push(chunk);
      parts.length = 0;
      if (size > MAX_BODY + DRAIN_LIMIT) reject(tooLarge()); // later chunks are still read and dropped
    });
    req.on('end', () => (size > MAX_BODY ? reject(tooLarge()) : resolve(Buffer.concat(parts))));
    req.on('error', (err) => reject(new BodyError(`request body: ${err.message}`, 400)));
    req.on('close', () => req.complete || reject(new BodyError('request body: the connection closed before it ended', 400)));
  });
}

/**
 * The server's `clientError` handler: a request Node's parser refused (broken chunked framing,
 * bad headers, a body that does not match its Content-Length). Answered once per connection with
 * the API's JSON error shape and `Connection: close`, then a staged close.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (answered.has(socket)) return; // the parser reports every later chunk again
  answered.add(socket);
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) return void socket.destroy();
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify({ error: `bad request: ${describeParseError(err)}`, status });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.once('end', () => socket.destroy());
}

/** Whether this connection was already answered by answerClientError (an in-flight request on it must not answer too). */
export function answeredAsMalformed(socket: Duplex | null): boolean {
  return socket !== null && answered.has(socket);
}

const answered = new WeakSet<Duplex>();

function describeParseError(err: NodeJS.ErrnoException): string {
  const reason = (err as { reason?: unknown }).reason;
  return typeof reason === 'string' && reason !== '' ? `${reason} (${err.code})` : (err.code ?? err.message);
}
