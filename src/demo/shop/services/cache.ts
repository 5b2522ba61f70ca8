/**
 * cache: an in-memory key-value cache (what Redis or memcached is to a real shop). Entries carry
 * the time they were stored, so callers decide what is fresh and what is stale; each entry also
 * has a TTL after which it is gone. A restart empties it.
 */
import { badRequest, notFound, objectBody, type ShopAppFactory } from './service.js';

interface Entry {
  value: unknown;
  storedAt: number;
  expiresAt: number;
}

const MAX_ENTRIES = 10_000;
const DEFAULT_TTL_MS = 5 * 60_000;

export const createCache: ShopAppFactory = () => {
  const entries = new Map<string, Entry>();

  const live = (key: string): Entry | undefined => {
    const e = entries.get(key);
    if (e && e.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return e;
  };

  return {
    health: () => ({ ok: true, service: 'cache', entries: entries.size }),
    routes: [
      {
        method: 'GET',
        path: '/kv/:key',
        handler: ({ params }) => {
          const e = live(params.key!);
          if (!e) throw notFound(`no entry ${params.key}`);
          return { body: { value: e.value, storedAt: e.storedAt, ageMs: Date.now() - e.storedAt } };
        },
      },
      {
        method: 'PUT',
        path: '/kv/:key',
        handler: ({ params, body }) => {
          const { value, ttlMs = DEFAULT_TTL_MS } = objectBody(body);
          if (value === undefined) throw badRequest('expected { value, ttlMs? }');
          if (typeof ttlMs !== 'number' || !(ttlMs > 0)) throw badRequest('ttlMs must be a positive number');
          entries.delete(params.key!); // re-inserted last: the Map's order is the eviction order
          entries.set(params.key!, { value, storedAt: Date.now(), expiresAt: Date.now() + ttlMs });
          if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
          return { status: 204 };
        },
      },
      {
        method: 'DELETE',
        path: '/kv/:key',
        handler: ({ params }) => {
          entries.delete(params.key!);
          return { status: 204 };
        },
      },
    ],
  };
};
