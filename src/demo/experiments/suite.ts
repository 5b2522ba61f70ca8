/**
 * The resilience suite for the demo shop: one experiment per failure mode, the same file for both
 * builds. `shopSuite({ basePort })` returns them in the order a demo runs them; each says which set
 * it belongs to (`quick` ⊂ `default` ⊂ everything, `extended` being the rest), what it needs beyond
 * process faults (`proxy`: the fault proxy's kinds, `load`: the experiment `load:`/`slos:` blocks)
 * and the verdict each build should get.
 *
 * Timing of `faultline demo` (each run starting and stopping the shop; compiled services, the fault
 * proxy; a 2-core machine shared with other work, docs/demo.md has the figures): quick (3, under
 * load) about 23–36 s resilient / 30–36 s fragile; default (9) about 60–70 s / 70–90 s; all 13
 * about 85 s / 100 s. A fragile run whose service never returns waits out `within` (5 s).
 */
import type { ExperimentInput } from '../../experiment/define.js';
import { cartWriteFailsFast, checkout, productPage, storeBreakerOpened, storefront } from './probes.js';
import { shopLoad } from './shop-load.js';

export type SuiteNeed = 'proxy' | 'load';
export type Verdict = 'held' | 'deviated';
/** `quick`: the `--quick` run; `default`: also in the default run; `extended`: only when everything is asked for. */
export type SuiteSet = 'quick' | 'default' | 'extended';

export interface SuiteEntry {
  /** File name without extension, and the name a demo prints. */
  name: string;
  /** One line: what the experiment shows. */
  shows: string;
  set: SuiteSet;
  needs: SuiteNeed[];
  expected: { resilient: Verdict; fragile: Verdict };
  experiment: ExperimentInput;
}

export interface SuiteOptions {
  basePort: number;
  /** The experiment's `system:` (relative to the experiment file). Default ./faultline.yaml. */
  system?: string;
  /** The store is a real PostgreSQL (`faultline demo --real`): its outage freezes the postmaster and every backend. */
  real?: boolean;
}

/** Recovery for a killed service: the resilient build's supervisor restarts it in about a second. */
const RECOVERY = { within: '5s', sustained: 3 } as const;

/**
 * The quick experiments run under the shop's traffic (40 requests/s: browsing and cart writes),
 * after 2 s of baseline, and are judged by SLOs on it as well as by their probes. The bounds are
 * absolute and generous for a busy 2-core machine: the resilient build stays far inside them, the
 * fragile one fails them by a wide margin (its failures are 500s and hangs, not slow answers).
 */
const UNDER_LOAD = (p: number) => ({ baseline: '2s', load: shopLoad(p) }) as const;

export function shopSuite(options: SuiteOptions): SuiteEntry[] {
  const p = options.basePort;
  const system = options.system ?? './faultline.yaml';
  const both = (resilient: Verdict, fragile: Verdict) => ({ resilient, fragile });
  const entries: SuiteEntry[] = [
    {
      name: 'service-kill',
      shows: 'a killed catalog is restarted; under load, the storefront keeps answering meanwhile (gateway last-good copy)',
      set: 'quick',
      needs: ['load'],
      expected: both('held', 'deviated'),
      experiment: {
        title: 'Killing catalog under load: shoppers barely notice, catalog is back within 5 s',
        tags: ['demo', 'service-kill', 'load-with-chaos'],
        system,
        ...UNDER_LOAD(p),
        hypothesis: { probes: [storefront(p), productPage(p)] },
        method: [{ fault: 'kill', target: 'catalog' }, { wait: '3s' }],
        recovery: RECOVERY,
        // The catalog is back within the 3 s wait, so the load's recovery phase may be empty: the
        // chaos phase holds the whole outage.
        slos: [
          { name: 'errors during the kill', metric: 'errorRate', max: '1%' },
          { name: 'latency during the kill', metric: 'p95', max: '500ms' },
        ],
      },
    },
    {
      name: 'cache-outage',
      shows: 'with the cache killed under load, catalog reads the store directly; the cache comes back empty and refills',
      set: 'quick',
      needs: ['load'],
      expected: both('held', 'deviated'),
      experiment: {
        title: 'Cache outage under load: product reads keep succeeding without the cache',
        tags: ['demo', 'cache-unavailability'],
        system,
        ...UNDER_LOAD(p),
        hypothesis: { probes: [storefront(p), productPage(p)] },
        method: [{ fault: 'kill', target: 'cache' }, { wait: '3s' }],
        recovery: RECOVERY,
        slos: [
          { name: 'served without the cache', metric: 'availability', min: '95%' },
          { name: 'latency without the cache', metric: 'p95', max: '500ms' },
        ],
      },
    },
    {
      name: 'database-outage',
      shows: 'with the store frozen under load, reads come from the stale cache and writes fail fast with 503 once the breaker opens',
      set: 'quick',
      needs: ['load'],
      expected: both('held', 'deviated'),
      experiment: {
        title: 'Database outage under load: stale reads, fast 503s for writes, recovery when the store returns',
        description: 'The store is frozen (SIGSTOP), the nastiest outage: connections open, nothing answers. Only timeouts notice.',
        tags: ['demo', 'database-outage'],
        system,
        ...UNDER_LOAD(p),
        // On the real parts (--real) the whole PostgreSQL is frozen, postmaster and backends, and the
        // journal shows the breaker opening from the shop's own metrics.
        hypothesis: { probes: [storefront(p), cartWriteFailsFast(p), ...(options.real ? [storeBreakerOpened(p)] : [])] },
        method: [{ fault: 'pause', target: 'store', duration: '5s', ...(options.real ? { tree: true } : {}) }],
        recovery: RECOVERY,
        slos: [
          // Only the cart writes (1 in 10 requests) may fail while the store is down.
          { name: 'reads keep working', metric: 'availability', min: '85%' },
          // Until a breaker opens, a call waits out its timeouts (2 × 200 ms): slow, never hung.
          { name: 'no hangs', metric: 'p95', max: '1s' },
          // Not an error rate: writes keep failing fast (503) until the store breaker half-opens,
          // 1.5 s after the store is back — by design. What must not happen is a backlog of hung
          // requests answering late once the store resumes.
          { name: 'no backlog after', metric: 'p95', max: '1s', phase: 'recovery' },
        ],
      },
    },
    {
      name: 'slow-payments',
      shows: 'while payments hangs, checkout degrades: orders are taken (202) and charged once payments answers',
      set: 'default',
      needs: [],
      expected: both('held', 'deviated'),
      experiment: {
        title: 'Payments hangs: checkout keeps taking orders, degraded',
        tags: ['demo', 'dependency-latency'],
        system,
        hypothesis: { probes: [checkout(p), storefront(p)] },
        method: [{ fault: 'pause', target: 'payments', duration: '4s' }],
        recovery: RECOVERY,
      },
    },
    {
      name: 'database-crash',
      shows: 'a killed store is restarted and replays its file: no data lost, reads stale meanwhile',
      set: 'extended',
      needs: [],
      expected: both('held', 'deviated'),
      experiment: {
        title: 'Database crash: the store comes back with its data, the shop degrades meanwhile',
        tags: ['demo', 'database-outage'],
        system,
        hypothesis: { probes: [storefront(p), productPage(p), cartWriteFailsFast(p)] },
        method: [{ fault: 'kill', target: 'store' }, { wait: '3s' }],
        recovery: RECOVERY,
      },
    },
    {
      name: 'cascading-failure',
      shows: 'cache, then store, then catalog die one after another; the storefront never stops answering',
      set: 'default',
      needs: [],
      expected: both('held', 'deviated'),
      experiment: {
        title: 'Cascading failure: cache, store and catalog killed in turn',
        tags: ['demo', 'cascading-failure'],
        system,
        hypothesis: { probes: [storefront(p)] },
        method: [
          {
            sequence: [
              { fault: 'kill', target: 'cache' },
              { wait: '1s' },
              { fault: 'kill', target: 'store' },
              { wait: '1s' },
              { fault: 'kill', target: 'catalog' },
            ],
          },
          { wait: '3s' },
        ],
        recovery: RECOVERY,
      },
    },
    {
      name: 'multiple-concurrent-failures',
      shows: 'cart and payments die together; product pages are isolated from them, and both come back',
      set: 'default',
      needs: [],
      expected: both('held', 'deviated'),
      experiment: {
        title: 'Cart and payments down at once: browsing is unaffected, both recover',
        tags: ['demo', 'multiple-concurrent-failures'],
        system,
        hypothesis: { probes: [storefront(p), productPage(p), checkout(p, false)] },
        method: [{ parallel: [{ fault: 'kill', target: 'cart' }, { fault: 'kill', target: 'payments' }] }, { wait: '3s' }],
        recovery: RECOVERY,
      },
    },
    {
      name: 'random-kill',
      shows: 'any one backend killed at random (seeded) comes back, with the storefront up throughout',
      set: 'extended',
      needs: [],
      expected: both('held', 'deviated'),
      experiment: {
        title: 'A random backend is killed: it comes back and the storefront keeps answering',
        tags: ['demo', 'random-kill'],
        system,
        seed: 7,
        hypothesis: { probes: [storefront(p)] },
        method: [{ fault: 'kill', target: { random: ['catalog', 'cart', 'payments', 'cache', 'store'] } }, { wait: '3s' }],
        recovery: RECOVERY,
      },
    },
    ...proxySuite(p, system),
  ];
  return entries;
}

/**
 * Network faults through the fault proxy (issue 3). Parameter names follow the announced kinds
 * (Toxiproxy's: `latency`, and `status` for http-error); check them when the proxy lands.
 */
function proxySuite(p: number, system: string): SuiteEntry[] {
  return [
    {
      name: 'dependency-latency',
      shows: '2 s of latency between gateway and catalog: the gateway times out at 600 ms and serves its last-good copy',
      set: 'default',
      needs: ['proxy'],
      expected: { resilient: 'held', fragile: 'deviated' },
      experiment: {
        title: 'Slow catalog: the storefront stays fast',
        tags: ['demo', 'dependency-latency', 'proxy'],
        system,
        hypothesis: { probes: [storefront(p)] },
        method: [{ fault: 'latency', target: 'gateway.catalog', latency: '2s', duration: '5s' }],
        recovery: RECOVERY,
      },
    },
    {
      name: 'network-partition',
      shows: 'catalog and cart cut off from the store: stale reads and fast 503s, as with a database outage',
      set: 'default',
      needs: ['proxy'],
      expected: { resilient: 'held', fragile: 'deviated' },
      experiment: {
        title: 'Partition between the services and the store',
        tags: ['demo', 'network-partition', 'proxy'],
        system,
        hypothesis: { probes: [storefront(p), cartWriteFailsFast(p)] },
        method: [{ fault: 'partition', target: ['catalog.store', 'cart.store'], duration: '5s' }],
        recovery: RECOVERY,
      },
    },
    {
      name: 'payments-latency',
      shows: 'payments answers after 1.5 s: checkout degrades to 202 within its 400 ms timeout',
      set: 'extended',
      needs: ['proxy'],
      expected: { resilient: 'held', fragile: 'deviated' },
      experiment: {
        title: 'Slow payments: checkout degrades instead of waiting',
        tags: ['demo', 'dependency-latency', 'proxy'],
        system,
        hypothesis: { probes: [checkout(p)] },
        method: [{ fault: 'latency', target: 'cart.payments', latency: '1500ms', duration: '5s' }],
        recovery: RECOVERY,
      },
    },
    {
      name: 'payments-errors',
      shows: 'payments answers 500: the breaker opens, checkout degrades, and closes again after',
      set: 'default',
      needs: ['proxy'],
      expected: { resilient: 'held', fragile: 'deviated' },
      experiment: {
        title: 'Failing payments: checkout keeps taking orders',
        tags: ['demo', 'circuit-breaker-validation', 'proxy'],
        system,
        hypothesis: { probes: [checkout(p)] },
        method: [{ fault: 'http-error', target: 'cart.payments', status: 500, duration: '4s' }],
        recovery: RECOVERY,
      },
    },
  ];
}
