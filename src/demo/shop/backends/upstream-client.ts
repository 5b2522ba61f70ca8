/**
 * The client a shop service calls one dependency through, chosen by the address's scheme:
 * `http://` is the stand-in service (the plain demo), `redis://` a real Redis for the cache and
 * `postgres://` a real PostgreSQL for the store (`faultline demo --real`). The real clients speak
 * the stand-ins' routes, so the services' code and their resilience policies are the same.
 * Their libraries (ioredis, pg) are loaded only when such an address is given.
 */
import { ServiceClient, type UpstreamClient } from '../http/client.js';
import { PostgresStoreClient } from './postgres-store.js';
import { RedisCacheClient } from './redis-cache.js';

export function upstreamClient(dependency: string, url: string): UpstreamClient {
  if (url.startsWith('redis://')) return new RedisCacheClient(dependency, url);
  if (url.startsWith('postgres://')) return new PostgresStoreClient(dependency, url);
  return new ServiceClient(dependency, url);
}
