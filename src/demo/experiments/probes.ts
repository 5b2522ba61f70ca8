/**
 * The hypothesis probes the suite uses, against the shop's public API (the gateway). The same
 * probes judge both builds: the resilient one keeps them true through a fault, the fragile one
 * does not — that difference is what each experiment shows.
 */
import type { ExperimentInput } from '../../experiment/define.js';
import { shopUrl } from '../shop/system.js';

export type ProbeInput = ExperimentInput['hypothesis'] extends infer H ? (H extends { probes?: (infer P)[] } ? P : never) : never;

const PROBE_USER = 'faultline-probe';

/** The product list answers 200 quickly — from the store, the cache, a stale copy or a last-good copy. */
export function storefront(basePort: number, throughout = true): ProbeInput {
  return {
    name: 'storefront answers',
    http: `${shopUrl(basePort)}/api/products`,
    timeout: '1500ms',
    expect: { status: 200, body: '"products"', latency: { max: '1200ms' } },
    throughout,
  };
}

/** A product page answers 200. */
export function productPage(basePort: number, throughout = true): ProbeInput {
  return {
    name: 'product page answers',
    http: `${shopUrl(basePort)}/api/products/p1`,
    timeout: '1500ms',
    expect: { status: 200, json: { path: '$.product.id', equals: 'p1' }, latency: { max: '1200ms' } },
    throughout,
  };
}

/**
 * Adding to a cart either works or fails fast and honestly: 200, or 503 with Retry-After within
 * a second — never a 500, never a hang.
 */
export function cartWriteFailsFast(basePort: number, throughout = true): ProbeInput {
  return {
    name: 'cart writes succeed or fail fast with 503',
    http: { url: `${shopUrl(basePort)}/api/cart/${PROBE_USER}/items`, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"productId":"p2","qty":1}' },
    timeout: '1500ms',
    expect: { status: [200, 503], latency: { max: '1s' } },
    throughout,
  };
}

/** Checkout takes the order — paid (201) or, degraded, with payment later (202) — within 1.5 s. */
export function checkout(basePort: number, throughout = true): ProbeInput {
  return {
    name: 'checkout takes orders',
    http: {
      url: `${shopUrl(basePort)}/api/checkout/${PROBE_USER}`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"items":[{"productId":"p3","qty":1}]}',
    },
    timeout: '2s',
    expect: { status: [201, 202], latency: { max: '1500ms' } },
    throughout,
  };
}

/**
 * The catalog's circuit breaker on the store opened during the run, read from its /metrics (a
 * counter's increase since the steady state before). The fragile build has no breaker: it fails.
 */
export function storeBreakerOpened(basePort: number): ProbeInput {
  return {
    name: "catalog's breaker on the store opened",
    metrics: { url: `${shopUrl(basePort, 'catalog')}/metrics`, name: 'shop_breaker_opened_total', labels: { dependency: 'store' } },
    expect: { increase: { min: 1 } },
  };
}
