/**
 * Before a shop service listens, one call to each HTTP dependency, so the first real request does
 * not pay for cold connections (through the faultline proxies: two TCP connects per hop) and cold
 * code paths. On a busy machine that first request could take longer than the callers' timeouts
 * (the gateway gives catalog 600 ms), and a steady-state check made right after `faultline run`
 * started the shop saw a 503 from a shop that had done nothing wrong.
 *
 * The call is `/health`, except to catalog: there it is the product list, the gateway's busiest
 * read and the probes' usual target. `/health` warmed the connections but left catalog's read path
 * cold (its cache and store calls, its policies, its code not yet compiled): with three shop
 * suites at once on 2 cores (FAULTLINE_TEST_HEAVY=3), the first product read still took 700–1,000
 * ms and the steady state failed in 2 of 83 tests; with this read, 0 of 83 with three and with four
 * at once. The warm read does what the first real one would (a cache miss, a store read, the cache
 * refilled); the baseline's first request did that anyway.
 *
 * The calls go around the caller's resilience policies (no breaker, retry or caller-side metric
 * sees them; the dependency counts them among its requests) and reuse the shared keep-alive agent
 * the services' own clients use. A dependency that does not answer within WARM_MS (not started
 * yet, or down on purpose) is simply not waited for; what it was doing goes on. Real backends
 * (`redis://`, `postgres://`) warm themselves (backends/).
 */
import { ServiceClient } from './http/client.js';
import type { ShopApp } from './services/service.js';
import type { ShopService } from './topology.js';

const WARM_MS = 1000;

/** The path called on each dependency: its health, or the read its callers make most. */
const WARM_PATHS: Partial<Record<ShopService, string>> = { catalog: '/products' };

export async function warmUp(upstreams: Partial<Record<ShopService, string>>): Promise<void> {
  const calls = Object.entries(upstreams)
    .filter((entry): entry is [ShopService, string] => entry[1]?.startsWith('http://') === true)
    .map(([dependency, url]) =>
      new ServiceClient(dependency, url).call(WARM_PATHS[dependency] ?? '/health', { signal: AbortSignal.timeout(WARM_MS) }).catch(() => undefined),
    );
  await Promise.all(calls);
}

/**
 * Then the service's own most common read (`ShopApp.warm`: catalog's product list), through its
 * code and policies, so a restarted process is warm too: a catalog killed and restarted under
 * load answered its first reads cold, past the gateway's 600 ms timeout (the demo suite's
 * service-kill saw its p95 at 603 ms, over the SLO's 500 ms, on a loaded machine). These calls
 * are the service's own and count in its metrics. At most WARM_MS; what is left goes on.
 */
export async function warmOwnReads(app: ShopApp): Promise<void> {
  if (!app.warm) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([app.warm().catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, WARM_MS)))]);
  clearTimeout(timer);
}
