/**
 * One Server-Sent Events connection: events with ids (the browser sends the last one back as
 * Last-Event-ID when it reconnects), a comment as heartbeat so proxies and the browser keep the
 * connection open, and a clean end. A client that stops reading is dropped rather than buffered
 * without bound: its browser reconnects and catches up from the store's replay buffer.
 */
import type { ServerResponse } from 'node:http';
import type { StoredEvent } from './event-store.js';

export const HEARTBEAT_MS = 15_000;
/** Unsent bytes for one client beyond which it is dropped (it reconnects and replays). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** How long the browser waits before reconnecting (the SSE `retry` field). */
const RETRY_MS = 1000;

export class SseClient {
  readonly #timer: NodeJS.Timeout;
  #closed = false;

  constructor(
    private readonly res: ServerResponse,
    heartbeatMs = HEARTBEAT_MS,
  ) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write(`retry: ${RETRY_MS}\n\n`);
    this.#timer = setInterval(() => this.#write(': heartbeat\n\n'), heartbeatMs);
    this.#timer.unref();
    res.on('close', () => this.#stop());
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(event: StoredEvent): void {
    this.#write(`id: ${event.id}\nevent: ${event.type}\ndata: ${event.data}\n\n`);
  }

  /** An event that is not stored (it has no id: a reconnect's Last-Event-ID stays the last stored one). */
  sendUnstored(type: string, data: unknown): void {
    this.#write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Ends the stream (after a last `bye` event, when given one). */
  end(bye?: unknown): void {
    if (this.#closed) return;
    if (bye !== undefined) this.sendUnstored('bye', bye);
    this.#stop();
    this.res.end();
  }

  #write(chunk: string): void {
    if (this.#closed) return;
    if (this.res.writableLength > MAX_BUFFERED_BYTES) {
      this.#stop();
      this.res.destroy();
      return;
    }
    this.res.write(chunk);
  }

  #stop(): void {
    this.#closed = true;
    clearInterval(this.#timer);
  }
}
