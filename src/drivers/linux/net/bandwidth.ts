/** `net-bandwidth`: limit the rate of the service's traffic (htb class + u32 filters on its ports/peers). */
import { z } from 'zod';
import { formatRate } from './format-rate.js';
import { rateParam, sizeParam } from '../units.js';
import { selectorShape } from './selector.js';
import { interfacesParam, shapeFault } from './shape-fault.js';

const params = z.strictObject({
  ...selectorShape,
  rate: rateParam,
  burst: sizeParam.optional().describe('Bytes that may pass at full speed before the rate applies (default: htb\'s own, about rate/HZ + MTU)'),
  interfaces: interfacesParam,
});
export type NetBandwidthParams = z.output<typeof params>;

export const netBandwidthFault = shapeFault({
  name: 'net-bandwidth',
  summary: 'Limit the bandwidth of the service\'s traffic with tc (htb), on its ports or with some peers',
  params,
  shape: (p) => ({ rateBits: p.rate, ...(p.burst !== undefined ? { burstBytes: p.burst } : {}) }),
  describe: (p) => `rate ${formatRate(p.rate)}`,
});
