/** `jitter`: delays that vary by ± `jitter` around `latency` (default 0), so answers come irregularly. */
import { z } from 'zod';
import { duration } from '../../util/duration-schema.js';
import { direction, perStream, proxyFault, share } from './toxics.js';

const params = z.strictObject({
  jitter: duration.default(50).describe('± random variation, e.g. 50ms'),
  latency: duration.default(0).describe('Base delay the jitter varies around (a delay never goes below 0)'),
  direction: direction,
  probability: share(1).describe('Share of connections affected (0..1 or a percentage)'),
});
export type JitterParams = z.output<typeof params>;

export const jitterFault = proxyFault<JitterParams>({
  name: 'jitter',
  summary: 'Delay data on a proxied link by a random amount (latency ± jitter)',
  params,
  toxics: (p) => perStream(p.direction, () => ({ type: 'latency', toxicity: p.probability, attributes: { latency: p.latency, jitter: p.jitter } })),
});
