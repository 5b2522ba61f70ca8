/** `net-loss`: drop a random share of the target's packets (nft numgen, or iptables statistic). */
import { z } from 'zod';
import { percentParam } from '../units.js';
import { selectorShape } from './selector.js';
import { backendParam, filterFault } from './filter-fault.js';

const params = z.strictObject({
  ...selectorShape,
  percent: percentParam.describe('Share of the selected packets dropped, each independently at random'),
  backend: backendParam,
});
export type NetLossParams = z.output<typeof params>;

export const netLossFault = filterFault({
  name: 'net-loss',
  summary: 'Drop a random share of the service\'s packets (no netem needed: nft numgen or iptables statistic)',
  params,
  action: (p) => ({ type: 'loss', percent: p.percent }),
});
