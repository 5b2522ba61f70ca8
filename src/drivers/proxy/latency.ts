/** `latency`: every chunk through the proxy waits `latency` (± `jitter`) — by default on responses only. */
import { z } from 'zod';
import { duration } from '../../util/duration-schema.js';
import { direction, perStream, proxyFault, share } from './toxics.js';

const params = z.strictObject({
  latency: duration.default(100).describe('Added delay, e.g. 200ms'),
  jitter: duration.default(0).describe('± random variation, e.g. 20ms'),
  direction: direction,
  probability: share(1).describe('Share of connections affected (0..1 or a percentage)'),
});
export type LatencyParams = z.output<typeof params>;

export const latencyFault = proxyFault<LatencyParams>({
  name: 'latency',
  summary: 'Add latency (± jitter) to a proxied link',
  params,
  toxics: (p) => perStream(p.direction, () => ({ type: 'latency', toxicity: p.probability, attributes: { latency: p.latency, jitter: p.jitter } })),
});
