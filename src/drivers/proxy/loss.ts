/**
 * `loss`: a share of connections is black-holed — nothing passes either way, nothing is refused
 * (TCP resends lost packets, so through a proxy the unit of loss is the connection). When the fault
 * ends, what was held goes on.
 */
import { z } from 'zod';
import { proxyFault, share } from './toxics.js';

const params = z.strictObject({
  probability: share(0.1).describe('Share of connections black-holed (0..1 or a percentage, default 10%)'),
});
export type LossParams = z.output<typeof params>;

export const lossFault = proxyFault<LossParams>({
  name: 'loss',
  summary: 'Black-hole a share of the connections through a proxy',
  params,
  toxics: (p) => [{ suffix: 'conn', type: 'loss', stream: 'downstream', toxicity: p.probability, attributes: {} }],
});
