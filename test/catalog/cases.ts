/**
 * The catalog experiments as the tests run them against the demo shop: the CLI arguments (short
 * durations), and the verdict each build should get. The shop's resilient /health checks only the
 * service itself while the fragile one is deep, so the default url (the gateway's health URL)
 * already separates the builds; some cases probe the storefront (/api/products) instead, as a user
 * would, and the breaker and retry cases must (their load has to reach the dependency).
 */
import { shopUrl } from '../../src/demo/shop/system.js';

export type Verdict = 'held' | 'deviated' | 'aborted';

export interface CatalogCase {
  name: string;
  /** Tells apart two cases of one template. */
  variant?: string;
  args(basePort: number): string[];
  expected: { resilient: Verdict; fragile: Verdict };
  /** Why the expectation for a build is what it is, when not the obvious. */
  note?: Partial<Record<'resilient' | 'fragile', string>>;
  /** Needs root (the linux driver's stress faults). */
  root?: boolean;
  /** Reads a Prometheus: run by test/observability/promql-catalog-*.test.ts, which starts one (runs.ts leaves it out). */
  prometheus?: boolean;
}

const SHORT = ['--set', 'within=5s'];
/** In the PromQL cases' arguments: replaced by the Prometheus URL of the test that runs them. */
export const PROM_PLACEHOLDER = 'http://prometheus.invalid:9090';
const storefront = (p: number) => ['--set', `url=${shopUrl(p)}/api/products`];

export const CASES: CatalogCase[] = [
  { name: 'service-kill', args: () => ['--target', 'catalog', '--set', 'wait=2s', ...SHORT], expected: { resilient: 'held', fragile: 'deviated' } },
  { name: 'random-kill', args: (p) => ['--set', 'seed=3', '--set', 'wait=2s', ...storefront(p), ...SHORT], expected: { resilient: 'held', fragile: 'deviated' } },
  { name: 'cascading-failure', args: () => ['--target', 'catalog', '--set', 'interval=1s', '--set', 'wait=2s', ...SHORT], expected: { resilient: 'held', fragile: 'deviated' } },
  { name: 'multiple-concurrent-failures', args: () => ['--target', 'cart,payments', '--set', 'wait=2s', ...SHORT], expected: { resilient: 'held', fragile: 'deviated' } },
  { name: 'dependency-latency', args: (p) => ['--target', 'catalog', '--set', 'delay=2s', '--set', 'duration=4s', ...storefront(p), ...SHORT], expected: { resilient: 'held', fragile: 'deviated' } },
  { name: 'network-partition', args: () => ['--target', 'store', '--set', 'duration=4s', ...SHORT], expected: { resilient: 'held', fragile: 'deviated' } },
  // Absolute latency bounds: a factor of a few-millisecond baseline is noise on a busy machine (and
  // load-with-chaos's p95 was seen at 314 ms against 300 ms on a loaded one; the fragile build breaks its error SLO).
  { name: 'cache-unavailability', args: () => ['--target', 'cache', '--set', 'duration=4s', '--set', 'baseline=2s', '--set', 'p95=500ms', ...SHORT], expected: { resilient: 'held', fragile: 'deviated' } },
  { name: 'database-outage', args: () => ['--target', 'store', '--set', 'duration=4s', ...SHORT], expected: { resilient: 'held', fragile: 'deviated' } },
  {
    name: 'database-outage',
    variant: "under load, with catalog's breaker",
    args: (p) => ['--target', 'store', '--set', 'duration=4s', '--set', 'caller=catalog', '--set', 'rate=20/s', '--set', 'p95=1s', ...storefront(p), ...SHORT],
    expected: { resilient: 'held', fragile: 'deviated' },
  },
  {
    name: 'resource-exhaustion',
    args: () => ['--target', 'catalog', '--set', 'duration=3s', '--set', 'workers=1', '--set', 'memory=64m', ...SHORT],
    expected: { resilient: 'held', fragile: 'held' },
    note: { fragile: 'cannot separate the builds: neither has anything CPU or memory pressure of this size breaks (docs/catalog.md)' },
    root: true,
  },
  { name: 'load-with-chaos', args: (p) => ['--target', 'catalog', '--set', 'baseline=2s', '--set', 'wait=3s', '--set', 'p95=1s', ...storefront(p), ...SHORT], expected: { resilient: 'held', fragile: 'deviated' } },
  {
    name: 'circuit-breaker-validation',
    args: (p) => ['--target', 'gateway', '--set', 'dependency=catalog', '--set', 'duration=4s', '--set', 'settle=3s', ...storefront(p), ...SHORT],
    expected: { resilient: 'held', fragile: 'deviated' },
  },
  { name: 'retry-validation', args: (p) => ['--target', 'catalog', '--set', 'dependency=store', ...storefront(p), ...SHORT], expected: { resilient: 'held', fragile: 'deviated' } },
  {
    name: 'full-resilience-suite',
    args: () => [
      '--target', 'catalog',
      '--set', 'cache=cache', '--set', 'database=store', '--set', 'targets=cart,payments', '--set', 'seed=3',
      '--set', 'wait=1500ms', '--set', 'duration=2s', '--set', 'interval=1s', '--set', 'gap=1s', ...SHORT,
    ],
    expected: { resilient: 'held', fragile: 'deviated' },
    note: { fragile: 'nothing restarts a killed service, so a later part finds its target gone: that step is skipped and said so, and the run deviates' },
  },
  { name: 'disaster-recovery', args: () => ['--set', 'wait=2s', '--set', 'within=10s'], expected: { resilient: 'held', fragile: 'deviated' } },
  ...promqlCases(),
];

/** The PromQL templates against the shop as examples/prometheus/prometheus.yml labels it (service=<name>). */
function promqlCases(): CatalogCase[] {
  // An 8 s rate() window holds several scrapes even when a busy machine misses some; the baseline
  // fills it before the steady-state check. The guardrail sees a breach a scrape, half the window and
  // abort-for after the kill (about 6 s): within=12s keeps the run watching (the guardrail with it) past that.
  const common = ['--target', 'catalog', '--set', `prometheus=${PROM_PLACEHOLDER}`, '--set', 'selector=service="gateway"', '--set', 'window=8s', '--set', 'baseline=8s', '--set', 'rate=10/s', '--set', 'abort-for=1s', '--set', 'wait=3s', '--set', 'within=12s'];
  const requests = ['--set', 'requests-metric=shop_http_requests_total', '--set', 'status-label=status'];
  return [
    { name: 'promql-error-rate', args: () => [...common, ...requests], expected: { resilient: 'held', fragile: 'aborted' }, prometheus: true },
    { name: 'promql-availability', args: () => [...common, ...requests, '--set', 'min=95%'], expected: { resilient: 'held', fragile: 'aborted' }, prometheus: true },
    {
      name: 'promql-latency-p95',
      args: () => [...common, '--set', 'histogram=shop_http_request_duration_seconds', '--set', 'p95=500ms'],
      expected: { resilient: 'held', fragile: 'deviated' },
      note: { fragile: "nothing restarts catalog, so recovery fails; the gateway's answers stay fast (fast 5xx), so p95 alone would not tell (promql-error-rate does)" },
      prometheus: true,
    },
  ];
}
