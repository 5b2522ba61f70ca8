/**
 * The cache's routes (`GET/PUT/DELETE /kv/:key`, `GET /health`) on a real Redis, through ioredis.
 * An entry is stored as JSON `{ value, storedAt }` with Redis's own expiry (PX), so callers still
 * get its age and decide what is fresh; a restarted Redis (no persistence) comes back empty.
 *
 * Like the stand-in's HTTP client, a call never waits for a connection: no offline queue, no
 * retry inside the client. While Redis is down every call fails at once (the resilient build's
 * breaker and fallback act on that, the fragile build's 500s show it) and ioredis reconnects in
 * the background every 100 ms.
 */
import type { Redis } from 'ioredis';
import { UpstreamError, type CallOptions, type UpstreamClient, type UpstreamResponse } from '../http/client.js';

interface Stored {
  value: unknown;
  storedAt: number;
}

const DEFAULT_TTL_MS = 5 * 60_000;

export class RedisCacheClient implements UpstreamClient {
  readonly #redis: Promise<Redis>;

  constructor(
    readonly dependency: string,
    url: string,
  ) {
    this.#redis = import('ioredis').then(({ Redis }) => {
      const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 100, connectTimeout: 1000 });
      redis.on('error', () => undefined); // a failed connection is reported by the calls it fails
      return redis;
    });
  }

  async call(path: string, options: CallOptions = {}): Promise<UpstreamResponse> {
    const method = options.method ?? 'GET';
    const redis = await this.#redis;
    try {
      if (path === '/health') return { status: 200, body: { ok: (await redis.ping()) === 'PONG', service: this.dependency } };
      const key = /^\/kv\/([^/]+)$/.exec(path)?.[1];
      if (key === undefined) return { status: 404, body: { error: `no route ${method} ${path}` } };
      const k = `shop:${decodeURIComponent(key)}`;
      if (method === 'GET') {
        const raw = await redis.get(k);
        if (raw === null) return { status: 404, body: { error: `no entry ${key}` } };
        const e = JSON.parse(raw) as Stored;
        return { status: 200, body: { value: e.value, storedAt: e.storedAt, ageMs: Date.now() - e.storedAt } };
      }
      if (method === 'PUT') {
        const { value, ttlMs = DEFAULT_TTL_MS } = (options.body ?? {}) as { value?: unknown; ttlMs?: number };
        await redis.set(k, JSON.stringify({ value, storedAt: Date.now() } satisfies Stored), 'PX', ttlMs);
        return { status: 204, body: undefined };
      }
      if (method === 'DELETE') {
        await redis.del(k);
        return { status: 204, body: undefined };
      }
      return { status: 405, body: { error: `${method} ${path}` } };
    } catch (err) {
      throw new UpstreamError(this.dependency, err instanceof Error ? err.message : String(err));
    }
  }
}
