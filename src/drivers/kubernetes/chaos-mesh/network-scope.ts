/**
 * Which packets a NetworkChaos acts on, from faultline's network parameters. faultline's
 * `direction` is seen from the target (ingress: packets to it, egress: packets from it); Chaos
 * Mesh's is seen from the selected pods towards the `target` pods: egress is `to`, ingress `from`.
 *
 * Chaos Mesh shapes traffic (delay, loss, bandwidth) with tc on the sending side, so it can only
 * shape packets *to* the selected pods through the pods on the other side: `from` and `both` need
 * a `target` (its webhook refuses them otherwise), and externalTargets work only with `to`. Hence
 * without `peer` these kinds default to egress. Partitions use iptables on both chains and take
 * every direction with or without a peer.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { podMode } from '../pod-mode.js';
import { onlyValues, refused, selectorOf } from './params.js';
import type { ChaosMeshSelection } from './types.js';

type Direction = 'both' | 'ingress' | 'egress';

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?$/i;

function isExternalTarget(s: string): boolean {
  const [addr, prefix, ...rest] = s.split('/');
  if (rest.length > 0 || !addr) return false;
  if (isIP(addr)) return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (isIP(addr) === 4 ? 32 : 128));
  return prefix === undefined && DOMAIN.test(addr);
}

/** The network parameters of faultline's linux kinds, as far as Chaos Mesh can express them. */
export const networkShape = {
  mode: podMode,
  direction: z
    .enum(['both', 'ingress', 'egress'])
    .optional()
    .describe('ingress: packets to the pods; egress: packets from them; both. Default: both for net-partition or with a peer, else egress (Chaos Mesh shapes packets to the pods only through a peer)'),
  peer: z
    .string()
    .min(1)
    .optional()
    .describe('Kubernetes only: another kubernetes service of the system file; only traffic with its pods (Chaos Mesh target)'),
  peers: z
    .array(z.string().refine(isExternalTarget, { message: 'expected an IP address, a CIDR such as 10.1.0.0/16, or a domain name' }))
    .min(1)
    .optional()
    .describe('Only traffic with these addresses, CIDRs or domains outside the cluster (Chaos Mesh externalTargets)'),
  ports: refused("Chaos Mesh's NetworkChaos selects pods, not ports: it acts on all of their traffic; narrow it with peer or peers"),
  protocol: onlyValues(['tcp', 'udp', 'all'] as const, ['all'], "Chaos Mesh's NetworkChaos acts on every protocol: remove protocol"),
};

export interface ScopeParams {
  direction?: Direction | undefined;
  peer?: string | undefined;
  peers?: string[] | undefined;
}

export function directionOf(p: ScopeParams, partition: boolean): Direction {
  return p.direction ?? (partition || p.peer !== undefined ? 'both' : 'egress');
}

/** The webhook's rules for the tc-based actions (delay, loss, bandwidth), said in faultline's terms. */
export function shapedScopeRule(p: ScopeParams, ctx: z.RefinementCtx): void {
  const direction = directionOf(p, false);
  if (direction !== 'egress' && p.peer === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['direction'],
      message: `direction ${direction} needs peer: SERVICE on Kubernetes (Chaos Mesh shapes the packets to these pods on the peer's side); without a peer only egress (the packets the pods send) can be shaped`,
    });
  }
  if (direction !== 'egress' && p.peers !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['peers'], message: `peers (Chaos Mesh externalTargets) work only with direction egress, got ${direction}` });
  }
}

export function peersOf(p: ScopeParams): string[] {
  return p.peer !== undefined ? [p.peer] : [];
}

/** direction, target and externalTargets of the spec. */
export function scopeSpec(p: ScopeParams, peers: Record<string, ChaosMeshSelection>, partition: boolean): Record<string, unknown> {
  const direction = { egress: 'to', ingress: 'from', both: 'both' }[directionOf(p, partition)];
  const out: Record<string, unknown> = { direction };
  if (p.peer !== undefined) {
    const peer = peers[p.peer];
    if (!peer) throw new Error(`peer ${p.peer} was not resolved: pass its selection in options.peers`);
    out.target = { mode: 'all', selector: selectorOf(peer) };
  }
  if (p.peers !== undefined) out.externalTargets = [...p.peers];
  return out;
}
