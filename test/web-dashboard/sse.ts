/**
 * A real Server-Sent Events client for tests: a plain HTTP request, the stream parsed as the
 * spec says (fields per line, an event per blank line, comments kept apart), and event-driven
 * waits for what should arrive.
 */
import { request, type IncomingHttpHeaders } from 'node:http';

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export interface SseStream {
  status: number;
  headers: IncomingHttpHeaders;
  events: SseEvent[];
  /** Comment lines (heartbeats), without the leading colon. */
  comments: string[];
  /** The `retry` field, when sent. */
  retry?: number;
  /** The first event (received so far or later) that matches, or a failure naming `what`. */
  waitFor(match: (e: SseEvent) => boolean, what: string, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

export function openStream(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolveStream, reject) => {
    const req = request(url, { agent: false, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      let buffer = '';
      let endStream: () => void = () => {};
      const ended = new Promise<void>((r) => (endStream = r));
      const waiters = new Set<() => void>();
      const stream: SseStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        comments: [],
        ended,
        close: () => req.destroy(),
        waitFor(match, what, timeoutMs = 30_000) {
          return new Promise((resolve, fail) => {
            const check = () => {
              const found = stream.events.find(match);
              if (!found) return;
              waiters.delete(check);
              clearTimeout(timer);
              resolve(found);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no ${what} within ${timeoutMs}ms; events so far: ${stream.events.map((e) => `${e.id ?? '-'}:${e.event}`).join(' ')}`));
            }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          parseBlock(buffer.slice(0, end), stream);
          buffer = buffer.slice(end + 2);
        }
        for (const w of [...waiters]) w();
      });
      res.on('end', endStream);
      res.on('close', endStream);
      resolveStream(stream);
    });
    req.on('error', reject);
    req.end();
  });
}

function parseBlock(block: string, stream: SseStream): void {
  const event: SseEvent = { event: 'message', data: '' };
  const data: string[] = [];
  let hasField = false;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) {
      stream.comments.push(line.slice(1).trim());
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'retry') stream.retry = Number(value);
    else if (field === 'id') event.id = value;
    else if (field === 'event') event.event = value;
    else if (field === 'data') data.push(value);
    else continue;
    if (field !== 'retry') hasField = true;
  }
  if (!hasField) return;
  event.data = data.join('\n');
  stream.events.push(event);
}
