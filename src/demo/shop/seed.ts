/**
 * The seed catalog, on its own (data only): the store seeds it, and `demo --real` writes it into
 * PostgreSQL from the CLI, which must not load the shop's services to do so.
 */
export interface Product {
  id: string;
  name: string;
  price: number;
}

export const SEED_PRODUCTS: Product[] = [
  ['p1', 'Fault-tolerant teapot', 2400],
  ['p2', 'Circuit breaker (decorative)', 1800],
  ['p3', 'Jittered backoff socks', 900],
  ['p4', 'Bulkhead bookends', 3200],
  ['p5', 'Stale-cache sourdough starter', 1200],
  ['p6', 'Idempotency key ring', 700],
  ['p7', 'Partition-proof umbrella', 2900],
  ['p8', 'Graceful degradation mug', 1100],
  ['p9', 'Retry-after alarm clock', 2200],
  ['p10', 'Chaos monkey plush', 1900],
  ['p11', 'Steady-state scented candle', 1500],
  ['p12', 'Blast radius frisbee', 800],
].map(([id, name, price]) => ({ id: id as string, name: name as string, price: price as number }));
