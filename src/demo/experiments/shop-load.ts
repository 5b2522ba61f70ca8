/**
 * The shop's traffic, to put under an experiment of the suite (the experiment `load:` block):
 * mostly browsing, some cart writes, at a fixed arrival rate.
 */
import type { LoadInput } from '../../experiment/schema/load.js';
import { shopUrl } from '../shop/system.js';

/**
 * Shoppers: mostly browsing, some cart writes. 503 is an honest "not now" (counted as an error by
 * the SLOs, unlike a hang it costs nothing); `rate` is an open model, so a stalled shop shows in
 * the latency figures instead of slowing the load down.
 */
export function shopLoad(basePort: number, rate = '40/s'): LoadInput {
  return {
    url: shopUrl(basePort),
    rate,
    timeout: '2s',
    interval: '500ms',
    requests: [
      { path: '/api/products', weight: 6 },
      { path: '/api/products/p1', weight: 3 },
      { path: '/api/cart/load-shopper/items', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"productId":"p4","qty":1}', weight: 1 },
    ],
  };
}
