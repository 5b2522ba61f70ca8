/**
 * Which packets a network fault acts on, from the target's point of view: `ingress` packets are
 * on their way to the target, `egress` packets come from it. A selector narrows them by the
 * target's ports and addresses and by the peers on the other side.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { TargetError } from '../../../errors/index.js';

export type Direction = 'ingress' | 'egress';
export type Protocol = 'tcp' | 'udp' | 'all';
export type Family = 4 | 6;

const addressOrCidr = z.string().refine(
  (s) => {
    const [addr, prefix, ...rest] = s.split('/');
    if (rest.length > 0 || !addr || !isIP(addr)) return false;
    if (prefix === undefined) return true;
    const n = Number(prefix);
    return /^\d+$/.test(prefix) && n >= 0 && n <= (isIP(addr) === 4 ? 32 : 128);
  },
  { message: 'expected an IP address or CIDR such as 10.0.0.5, 10.1.0.0/16 or fd00::/8' },
);
const port = z.number().int().min(1).max(65535);

/** The selector parameters every network fault takes. */
export const selectorShape = {
  direction: z.enum(['both', 'ingress', 'egress']).default('both').describe('ingress: packets to the target; egress: packets from it; both (default)'),
  peers: z.array(addressOrCidr).min(1).optional().describe('Only traffic with these addresses or CIDRs on the other side'),
  ports: z.array(port).min(1).max(15).optional().describe("The target's ports to act on (default: the service's ports)"),
  protocol: z.enum(['tcp', 'udp', 'all']).default('all').describe('tcp, udp or all (default)'),
};

export type SelectorParams = { direction: 'both' | Direction; peers?: string[] | undefined; ports?: number[] | undefined; protocol: Protocol };

/** A selector resolved for one network namespace. Plain JSON. */
export interface Selector {
  directions: Direction[];
  /** The target's own addresses (a host:port target); empty: any. */
  addresses: string[];
  ports: number[];
  peers: string[];
  protocol: Protocol;
  /** The target has a network namespace of its own: its loopback traffic is left alone, everything else is the target's. */
  own: boolean;
}

export function familyOf(addressOrCidr: string): Family {
  return isIP(addressOrCidr.split('/')[0]!) === 6 ? 6 : 4;
}

export function buildSelector(
  label: string,
  target: { ports: number[]; endpoint?: { addresses: string[] } },
  params: SelectorParams,
  own: boolean,
): Selector {
  const selector: Selector = {
    directions: params.direction === 'both' ? ['ingress', 'egress'] : [params.direction],
    addresses: own ? [] : (target.endpoint?.addresses ?? []),
    ports: params.ports ?? target.ports,
    peers: params.peers ?? [],
    protocol: params.protocol,
    own,
  };
  if (!own && selector.addresses.length === 0 && selector.ports.length === 0 && selector.peers.length === 0) {
    throw new TargetError(
      `${label} shares the host's network namespace and has no ports, so the fault would hit all of the host's traffic: add \`ports: [PORT]\` to the service in the system file, or give the fault ports: or peers:`,
    );
  }
  if (clauses(selector).length === 0) {
    throw new TargetError(`${label}: the target's addresses (${selector.addresses.join(', ')}) and peers (${selector.peers.join(', ')}) share no address family, so nothing would match`);
  }
  return selector;
}

/** One match: a direction, an address family (undefined: any) and the addresses of that family. */
export interface Clause {
  direction: Direction;
  family?: Family;
  addresses: string[];
  peers: string[];
}

export function clauses(s: Selector): Clause[] {
  const families: (Family | undefined)[] =
    s.addresses.length === 0 && s.peers.length === 0
      ? [undefined]
      : ([4, 6] as const).filter(
          (f) => (s.addresses.length === 0 || s.addresses.some((a) => familyOf(a) === f)) && (s.peers.length === 0 || s.peers.some((p) => familyOf(p) === f)),
        );
  return s.directions.flatMap((direction) =>
    families.map((family) => ({
      direction,
      ...(family !== undefined ? { family } : {}),
      addresses: s.addresses.filter((a) => familyOf(a) === family),
      peers: s.peers.filter((p) => familyOf(p) === family),
    })),
  );
}

/** A human summary: "ingress and egress on tcp ports 7101 to 127.0.0.1, with peers 10.0.0.0/8". */
export function describeSelector(s: Selector): string {
  const parts = [s.directions.join(' and ')];
  if (s.own) parts.push('(all of its namespace but loopback)');
  if (s.ports.length) parts.push(`${s.protocol === 'all' ? '' : `${s.protocol} `}port${s.ports.length > 1 ? 's' : ''} ${s.ports.join(', ')}`);
  else if (s.protocol !== 'all') parts.push(s.protocol);
  if (s.addresses.length) parts.push(`at ${s.addresses.join(', ')}`);
  if (s.peers.length) parts.push(`with peers ${s.peers.join(', ')}`);
  return parts.join(' ');
}
