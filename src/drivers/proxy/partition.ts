/**
 * `partition`: cut the link to the dependency. `blackhole` (default): connections open and hang,
 * nothing answers, as when packets are dropped; `refuse`: connections are reset and new ones
 * refused, as when the dependency is down.
 */
import { z } from 'zod';
import { proxyFault } from './toxics.js';

const params = z.strictObject({
  mode: z.enum(['blackhole', 'refuse']).default('blackhole').describe('blackhole: hang every connection; refuse: reset open and new connections'),
});
export type PartitionParams = z.output<typeof params>;

export const partitionFault = proxyFault<PartitionParams>({
  name: 'partition',
  summary: 'Cut a proxied link: connections hang (blackhole) or are refused (refuse)',
  params,
  toxics: (p) => [{ suffix: 'cut', type: p.mode === 'blackhole' ? 'loss' : 'down', stream: 'downstream', toxicity: 1, attributes: {} }],
});
