/**
 * A shop service's configuration, from its environment (the system file sets it):
 *
 *   SHOP_MODE            resilient | fragile (default resilient)
 *   SHOP_PORT            port to listen on (required); SHOP_HOST (default 127.0.0.1)
 *   SHOP_<DEP>_URL       where each dependency answers, e.g. SHOP_STORE_URL=http://127.0.0.1:17312
 *                        (a faultline proxy's listen address when calls go through the proxy);
 *                        with real backends, SHOP_CACHE_URL=redis://… and SHOP_STORE_URL=postgres://…
 *   SHOP_DATA_DIR        store only: the directory of its append-only data file (required)
 *   SHOP_CACHE_FRESH_MS  catalog: how long a cached product list counts as fresh (default 1000)
 *   SHOP_PAYMENTS_LATENCY_MS  payments: time each charge takes (default 10)
 *   SHOP_BREAKER_HALF_OPEN_MS resilient: how long a breaker stays open before a trial call (default 1500)
 */
import { DEPENDENCIES, isShopMode, upstreamVar, type ShopMode, type ShopService } from './topology.js';

export interface ShopConfig {
  service: ShopService;
  mode: ShopMode;
  host: string;
  port: number;
  /** Base URL of each dependency, without a trailing slash. */
  upstreams: Partial<Record<ShopService, string>>;
  dataDir?: string;
  cacheFreshMs: number;
  paymentsLatencyMs: number;
  breakerHalfOpenMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function configFromEnv(service: ShopService, env: NodeJS.ProcessEnv = process.env): ShopConfig {
  const mode = env.SHOP_MODE ?? 'resilient';
  if (!isShopMode(mode)) throw new ConfigError(`SHOP_MODE must be resilient or fragile, got ${JSON.stringify(mode)}`);
  const upstreams: Partial<Record<ShopService, string>> = {};
  for (const dep of DEPENDENCIES[service]) {
    const url = env[upstreamVar(dep)];
    if (!url) throw new ConfigError(`${service} calls ${dep}: set ${upstreamVar(dep)} (e.g. http://127.0.0.1:17312)`);
    // A real backend (faultline demo --real): redis:// for the cache, postgres:// for the store.
    const real = (dep === 'cache' && url.startsWith('redis://')) || (dep === 'store' && url.startsWith('postgres://'));
    if (!real && !/^http:\/\/[^/]+$/.test(url.replace(/\/$/, ''))) throw new ConfigError(`${upstreamVar(dep)} must be http://host:port, got ${JSON.stringify(url)}`);
    upstreams[dep] = url.replace(/\/$/, '');
  }
  const config: ShopConfig = {
    service,
    mode,
    host: env.SHOP_HOST ?? '127.0.0.1',
    port: int(env, 'SHOP_PORT'),
    upstreams,
    cacheFreshMs: int(env, 'SHOP_CACHE_FRESH_MS', 1000),
    paymentsLatencyMs: int(env, 'SHOP_PAYMENTS_LATENCY_MS', 10),
    breakerHalfOpenMs: int(env, 'SHOP_BREAKER_HALF_OPEN_MS', 1500),
  };
  if (service === 'store') {
    if (!env.SHOP_DATA_DIR) throw new ConfigError('store keeps its data on disk: set SHOP_DATA_DIR to a directory');
    config.dataDir = env.SHOP_DATA_DIR;
  }
  return config;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback?: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    if (fallback !== undefined) return fallback;
    throw new ConfigError(`set ${name}`);
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
  return n;
}
