/** `net-partition`: drop (or reject) the target's traffic, one or both directions, optionally only with some peers or on some ports. */
import { z } from 'zod';
import { selectorShape } from './selector.js';
import { backendParam, filterFault } from './filter-fault.js';

const params = z.strictObject({
  ...selectorShape,
  action: z.enum(['drop', 'reject']).default('drop').describe('drop: packets vanish (timeouts); reject: TCP resets and ICMP port unreachable (fast failures)'),
  backend: backendParam,
});
export type NetPartitionParams = z.output<typeof params>;

export const netPartitionFault = filterFault({
  name: 'net-partition',
  summary: "Partition the service from the network: drop or reject its packets (both directions by default) in its network namespace, through faultline's own nft table",
  params,
  action: (p) => ({ type: p.action }),
});
