/** `bandwidth`: cap a proxied link's throughput. */
import { z } from 'zod';
import { direction, perStream, proxyFault, share } from './toxics.js';

const UNITS: Record<string, number> = { b: 0.001, kb: 1, mb: 1000, gb: 1_000_000, kbit: 0.125, mbit: 125, gbit: 125_000 };

/** A rate: a number of KB/s (1 KB = 1000 bytes), or `512KB/s`, `1MB/s`, `10Mbit/s`, `100kbps`. Parsed to KB/s. */
export const rate = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    if (typeof value === 'number' && value > 0) return value;
    const m = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kbit|mbit|gbit)(?:\/s|ps)?\s*$/i.exec(value.replace(/^(\d+(?:\.\d+)?\s*[kmg]?)bps$/i, '$1bit')) : null;
    const kb = m ? Number(m[1]) * UNITS[m[2]!.toLowerCase()]! : NaN;
    if (!(kb > 0)) {
      ctx.addIssue({ code: 'custom', message: `expected a rate such as 512KB/s, 1MB/s or 10Mbit/s (or a number of KB/s), got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return kb;
  })
  .describe('Rate: 512KB/s, 1MB/s, 10Mbit/s, or a number of KB/s');

const params = z.strictObject({
  rate: rate.default(100),
  direction: direction,
  probability: share(1).describe('Share of connections affected (0..1 or a percentage)'),
});
export type BandwidthParams = z.output<typeof params>;

export const bandwidthFault = proxyFault<BandwidthParams>({
  name: 'bandwidth',
  summary: 'Limit the throughput of a proxied link',
  params,
  toxics: (p) => perStream(p.direction, () => ({ type: 'bandwidth', toxicity: p.probability, attributes: { rate: p.rate } })),
});
