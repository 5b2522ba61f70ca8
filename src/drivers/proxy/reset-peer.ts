/** `reset-peer`: connections are reset (TCP RST) once data flows (after `after`). */
import { z } from 'zod';
import { duration } from '../../util/duration-schema.js';
import { direction, perStream, proxyFault, share } from './toxics.js';

const params = z.strictObject({
  after: duration.default(0).describe('Time from the first data to the reset (default: at once)'),
  direction: direction.describe('Which data arms the reset: downstream (responses), upstream (requests), both'),
  probability: share(1).describe('Share of connections affected (0..1 or a percentage)'),
});
export type ResetPeerParams = z.output<typeof params>;

export const resetPeerFault = proxyFault<ResetPeerParams>({
  name: 'reset-peer',
  summary: 'Reset connections through a proxy (connection reset by peer)',
  params,
  toxics: (p) => perStream(p.direction, () => ({ type: 'reset_peer', toxicity: p.probability, attributes: { timeout: p.after } })),
});
