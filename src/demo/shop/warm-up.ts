/**
 * Before a shop service listens, one `/health` call to each HTTP dependency, so the first real
 * request does not pay for cold connections (through the faultline proxies: two TCP connects per
 * hop) and cold code paths. On a busy machine that first request could take longer than the
 * callers' timeouts (the gateway gives catalog 600 ms), and a steady-state check made right after
 * `faultline run` started the shop saw a 503 from a shop that had done nothing wrong.
 *
 * The calls go around the resilience policies (no breaker, retry or caller-side metric sees them;
 * the dependency counts them among its /health requests) and reuse the shared keep-alive agent
 * the services' own clients use. A dependency that does not answer within WARM_MS (not started
 * yet, or down on purpose) is simply not warmed. Real backends (`redis://`, `postgres://`) warm
 * themselves (backends/).
 */
import { ServiceClient } from './http/client.js';

const WARM_MS = 1000;

export async function warmUp(upstreams: Partial<Record<string, string>>): Promise<void> {
  const calls = Object.entries(upstreams)
    .filter((entry): entry is [string, string] => entry[1]?.startsWith('http://') === true)
    .map(([dependency, url]) => new ServiceClient(dependency, url).call('/health', { signal: AbortSignal.timeout(WARM_MS) }).catch(() => undefined));
  await Promise.all(calls);
}
