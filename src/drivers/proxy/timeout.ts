/** `timeout`: data stops flowing (held, not lost); with `close`, connections are closed after that long. */
import { z } from 'zod';
import { duration } from '../../util/duration-schema.js';
import { direction, perStream, proxyFault, share } from './toxics.js';

const params = z.strictObject({
  close: duration.default(0).describe('Close held connections after this long (default 0: hold until the fault ends)'),
  direction: direction,
  probability: share(1).describe('Share of connections affected (0..1 or a percentage)'),
});
export type TimeoutParams = z.output<typeof params>;

export const timeoutFault = proxyFault<TimeoutParams>({
  name: 'timeout',
  summary: 'Stop data on a proxied link (the peer waits: timeouts), optionally closing connections after a while',
  params,
  toxics: (p) => perStream(p.direction, () => ({ type: 'timeout', toxicity: p.probability, attributes: { timeout: p.close } })),
});
