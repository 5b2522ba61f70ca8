/**
 * catalog: the product list and product pages, read through the cache (cache-aside: a fresh
 * cached copy is served as is; otherwise the store is asked and the cache refilled).
 *
 * Resilient: a cache that fails is bypassed; a store that fails is covered by the stale cached
 * copy, then by the last copy this process served; only with neither is the answer a 503.
 * Fragile: a failing cache or store is a 500.
 */
import type { Product } from '../domain.js';
import { HttpError, unavailable, type Reply } from '../http/server.js';
import { describeFailure } from '../resilience.js';
import { callerHealth, dependencies, notFound, type ShopAppFactory } from './service.js';

interface CacheHit {
  value: unknown;
  ageMs: number;
}

/** How long the cache keeps an entry: long, so a stale copy outlives a store outage. */
const CACHE_TTL_MS = 10 * 60_000;

export const createCatalog: ShopAppFactory = (config, metrics) => {
  const deps = dependencies(config, metrics, {
    store: { timeoutMs: 200, retries: 1 },
    cache: { timeoutMs: 100, retries: 0, breakerThreshold: 3 },
  });
  const resilient = config.mode === 'resilient';
  const lastGood = new Map<string, unknown>();

  async function cacheGet(key: string): Promise<CacheHit | undefined> {
    try {
      const res = await deps.cache.call(`/kv/${encodeURIComponent(key)}`);
      return res.status === 200 ? (res.body as CacheHit) : undefined;
    } catch (err) {
      if (!resilient) throw err;
      deps.cache.fellBack('bypass');
      return undefined;
    }
  }

  async function cachePut(key: string, value: unknown): Promise<void> {
    const put = deps.cache.call(`/kv/${encodeURIComponent(key)}`, { method: 'PUT', body: { value, ttlMs: CACHE_TTL_MS } });
    if (!resilient) return void (await put);
    put.catch(() => undefined); // best effort, off the request's path
  }

  /** Cache-aside read of one store resource; `field` names it in the answer. */
  async function read(key: string, storePath: string, field: 'products' | 'product', pick: (body: unknown) => unknown): Promise<Reply> {
    const cached = await cacheGet(key);
    if (cached && cached.ageMs < config.cacheFreshMs) return answer(field, cached.value, 'cache');
    let res;
    try {
      res = await deps.store.call(storePath);
    } catch (err) {
      if (!resilient) throw err;
      if (cached) {
        deps.store.fellBack('stale-cache');
        return answer(field, cached.value, 'stale-cache', cached.ageMs);
      }
      if (lastGood.has(key)) {
        deps.store.fellBack('last-good');
        return answer(field, lastGood.get(key), 'last-good');
      }
      throw unavailable(`store unavailable (${describeFailure(err)}) and nothing cached`);
    }
    if (res.status === 404) throw notFound(`no product ${storePath.split('/').pop()}`);
    if (res.status !== 200) throw new HttpError(502, `store answered ${res.status}`);
    const value = pick(res.body);
    lastGood.set(key, value);
    await cachePut(key, value);
    return answer(field, value, 'store');
  }

  const readProducts = () => read('products', '/products', 'products', (b) => (b as { products: Product[] }).products);

  return {
    health: () => callerHealth(config, deps),
    // The product list, as the gateway's first request would read it: the store read, the cache
    // refilled, the last good copy kept, and this process's read path compiled.
    warm: readProducts,
    routes: [
      { method: 'GET', path: '/products', handler: readProducts },
      {
        method: 'GET',
        path: '/products/:id',
        handler: ({ params }) => read(`product:${params.id}`, `/products/${encodeURIComponent(params.id!)}`, 'product', (b) => b),
      },
    ],
  };
};

function answer(field: string, value: unknown, source: string, ageMs?: number): Reply {
  return { body: { [field]: value, source, ...(ageMs !== undefined ? { ageMs } : {}) }, headers: { 'x-shop-source': source } };
}
