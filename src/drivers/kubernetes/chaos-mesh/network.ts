/** net-delay, net-loss, net-partition and net-bandwidth as NetworkChaos (see network-scope.ts for direction and peers). */
import { z } from 'zod';
import { duration } from '../../../util/duration-schema.js';
import { percentParam, rateParam, sizeParam } from '../../linux/units.js';
import { goLatency } from './go-duration.js';
import { networkShape, peersOf, scopeSpec, shapedScopeRule } from './network-scope.js';
import { commonSpec, onlyValues } from './params.js';
import type { ChaosMeshKind } from './types.js';

const backend = onlyValues(['auto', 'nft', 'iptables'] as const, ['auto'], "Chaos Mesh's chaos-daemon chooses the packet filter itself (iptables and ipset): remove backend");
const interfaces = z
  .array(z.string().regex(/^[\w.@:-]{1,15}$/, 'expected an interface name such as eth0'))
  .length(1, 'Chaos Mesh shapes one interface of the pod (device): give one, or leave interfaces out for the pod\'s default (eth0)')
  .optional()
  .describe('One interface inside the pod (Chaos Mesh device; default eth0)');
const network = (name: string, extra: Record<string, unknown>): Record<string, unknown> => ({ action: name, ...extra });

const delayParams = z
  .strictObject({
    ...networkShape,
    delay: duration.describe('Added to every selected packet'),
    jitter: duration.optional().describe('Random variation around the delay'),
    correlation: percentParam.optional().describe('How much each jitter value depends on the previous one'),
    interfaces,
  })
  .superRefine(shapedScopeRule);
export type ChaosMeshNetDelayParams = z.output<typeof delayParams>;

export const netDelayChaos: ChaosMeshKind<ChaosMeshNetDelayParams> = {
  name: 'net-delay',
  crdKind: 'NetworkChaos',
  plural: 'networkchaos',
  summary: "Delay the pods' packets (Chaos Mesh NetworkChaos delay, tc netem in the pods), with optional jitter",
  timing: 'held',
  params: delayParams,
  peers: peersOf,
  spec: (p, selection, o) => ({
    ...commonSpec(p.mode, selection, o.durationMs),
    ...network('delay', scopeSpec(p, o.peers, false)),
    ...(p.interfaces ? { device: p.interfaces[0] } : {}),
    delay: {
      latency: goLatency(p.delay),
      ...(p.jitter !== undefined ? { jitter: goLatency(p.jitter) } : {}),
      ...(p.correlation !== undefined ? { correlation: String(p.correlation) } : {}),
    },
  }),
};

const lossParams = z
  .strictObject({
    ...networkShape,
    percent: percentParam.describe('Share of the selected packets dropped, each independently at random'),
    correlation: percentParam.optional().describe('Kubernetes only: how much each drop depends on the previous one (netem loss correlation)'),
    backend,
  })
  .superRefine(shapedScopeRule);
export type ChaosMeshNetLossParams = z.output<typeof lossParams>;

export const netLossChaos: ChaosMeshKind<ChaosMeshNetLossParams> = {
  name: 'net-loss',
  crdKind: 'NetworkChaos',
  plural: 'networkchaos',
  summary: "Drop a random share of the pods' packets (Chaos Mesh NetworkChaos loss)",
  timing: 'held',
  params: lossParams,
  peers: peersOf,
  spec: (p, selection, o) => ({
    ...commonSpec(p.mode, selection, o.durationMs),
    ...network('loss', scopeSpec(p, o.peers, false)),
    loss: { loss: String(p.percent), ...(p.correlation !== undefined ? { correlation: String(p.correlation) } : {}) },
  }),
};

const partitionParams = z.strictObject({
  ...networkShape,
  action: onlyValues(['drop', 'reject'] as const, ['drop'], 'Chaos Mesh partitions drop packets (timeouts); it cannot reject them (resets): use action: drop, or leave action out'),
  backend,
});
export type ChaosMeshNetPartitionParams = z.output<typeof partitionParams>;

export const netPartitionChaos: ChaosMeshKind<ChaosMeshNetPartitionParams> = {
  name: 'net-partition',
  crdKind: 'NetworkChaos',
  plural: 'networkchaos',
  summary: 'Partition the pods from the network, or from a peer: their packets are dropped (Chaos Mesh NetworkChaos partition, iptables)',
  timing: 'held',
  params: partitionParams,
  peers: peersOf,
  spec: (p, selection, o) => ({ ...commonSpec(p.mode, selection, o.durationMs), ...network('partition', scopeSpec(p, o.peers, true)) }),
};

/** Chaos Mesh's documented example values: limit 20971520 bytes queued, buffer 10000 bytes. */
export const DEFAULT_LIMIT = 20_971_520;
export const DEFAULT_BUFFER = 10_000;
const INT32 = 2 ** 31 - 1;

const bandwidthParams = z
  .strictObject({
    ...networkShape,
    rate: rateParam,
    burst: sizeParam.optional().refine((b) => b === undefined || (b >= 1 && b <= INT32), { message: 'expected 1 byte to 2g' }).describe(`Bytes that may pass at full speed (Chaos Mesh buffer; default ${DEFAULT_BUFFER})`),
    limit: sizeParam.optional().refine((b) => b === undefined || (b >= 1 && b <= INT32), { message: 'expected 1 byte to 2g' }).describe(`Kubernetes only: bytes queued waiting to be sent (Chaos Mesh limit; default ${DEFAULT_LIMIT})`),
    interfaces,
  })
  .superRefine(shapedScopeRule);
export type ChaosMeshNetBandwidthParams = z.output<typeof bandwidthParams>;

/** bits/s as a Chaos Mesh rate. Bit units only: they are decimal there as in faultline, while Chaos Mesh reads kbps as 1024 bytes/s. */
export function chaosMeshRate(bits: number): string {
  for (const [unit, factor] of [['gbit', 1e9], ['mbit', 1e6], ['kbit', 1e3]] as const) {
    if (bits % factor === 0) return `${bits / factor}${unit}`;
  }
  return `${Math.round(bits)}bit`;
}

export const netBandwidthChaos: ChaosMeshKind<ChaosMeshNetBandwidthParams> = {
  name: 'net-bandwidth',
  crdKind: 'NetworkChaos',
  plural: 'networkchaos',
  summary: "Limit the bandwidth of the pods' traffic (Chaos Mesh NetworkChaos bandwidth, tc tbf)",
  timing: 'held',
  params: bandwidthParams,
  peers: peersOf,
  spec: (p, selection, o) => ({
    ...commonSpec(p.mode, selection, o.durationMs),
    ...network('bandwidth', scopeSpec(p, o.peers, false)),
    ...(p.interfaces ? { device: p.interfaces[0] } : {}),
    bandwidth: { rate: chaosMeshRate(p.rate), limit: p.limit ?? DEFAULT_LIMIT, buffer: p.burst ?? DEFAULT_BUFFER },
  }),
};
