/**
 * Experiments under load, judged by SLOs on the load figures (issue 4's `load:` and `slos:`
 * blocks). They need the runner to take those blocks; until then `writeShopFiles` skips them.
 * `shopLoad()` is the shop's traffic on its own, to put under any experiment of the suite.
 */
import type { ExperimentInput } from '../../experiment/define.js';
import type { LoadInput, SloInput } from '../../experiment/schema/load.js';
import { shopUrl } from '../shop/system.js';
import { storefront } from './probes.js';
import type { SuiteEntry, SuiteOptions } from './suite.js';

export type LoadExperimentInput = ExperimentInput & { load: LoadInput; slos: SloInput[] };

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

export function loadSuite(options: SuiteOptions): SuiteEntry[] {
  const p = options.basePort;
  const system = options.system ?? './faultline.yaml';
  const base = (title: string, tags: string[]): Omit<LoadExperimentInput, 'method' | 'slos'> => ({
    title,
    tags: ['demo', 'load', ...tags],
    system,
    baseline: '3s',
    load: shopLoad(p),
    hypothesis: { probes: [storefront(p, false)] },
    recovery: { within: '5s', sustained: 3 },
  });
  const entry = (name: string, shows: string, experiment: LoadExperimentInput): SuiteEntry => ({
    name,
    shows,
    set: 'extended',
    needs: ['load'],
    expected: { resilient: 'held', fragile: 'deviated' },
    experiment,
  });
  return [
    entry('load-with-chaos', 'catalog killed under 40 req/s: under 1% errors, p95 under 300 ms', {
      ...base('Killing catalog under load: shoppers barely notice', ['load-with-chaos', 'service-kill']),
      method: [{ fault: 'kill', target: 'catalog' }, { wait: '3s' }],
      slos: [
        { name: 'errors during the kill', metric: 'errorRate', max: '1%' },
        { name: 'latency during the kill', metric: 'p95', max: '300ms' },
        { name: 'errors after recovery', metric: 'errorRate', max: '1%', phase: 'recovery' },
      ],
    }),
    entry('cache-outage-under-load', 'cache killed under load: >80% served, <10% errors, p95 < 5x baseline', {
      ...base('Cache outage under load: the fallback carries the traffic', ['cache-unavailability']),
      method: [{ fault: 'kill', target: 'cache' }, { wait: '3s' }],
      slos: [
        { name: 'served from the fallback', metric: 'availability', min: '80%' },
        { name: 'error rate', metric: 'errorRate', max: '10%' },
        { name: 'latency increase', metric: 'p95', max: '5x' },
      ],
    }),
    entry('database-outage-under-load', 'store frozen under load: reads stay up, writes fail fast, no hang', {
      ...base('Database outage under load: stale reads, fast failures', ['database-outage']),
      method: [{ fault: 'pause', target: 'store', duration: '5s' }],
      slos: [
        // Only the cart writes (1 in 10 requests) may fail while the store is down.
        { name: 'reads keep working', metric: 'availability', min: '85%' },
        { name: 'no hangs', metric: 'p95', max: '500ms' },
        { name: 'back to normal after', metric: 'errorRate', max: '1%', phase: 'recovery' },
      ],
    }),
  ];
}
