/**
 * The iptables backend, for hosts without nft: one chain of faultline's own per fault
 * (`FL-<id>`) in the filter table, jumped to from INPUT and OUTPUT. Removing the fault deletes the
 * jumps to that chain and the chain itself, nothing else.
 */
import { clauses, type Family, type Selector } from './selector.js';
import type { FilterAction } from './filter-action.js';

export function iptablesChainName(id: string): string {
  return `FL-${id}`;
}

export function iptablesBinary(family: Family): string {
  return family === 6 ? 'ip6tables' : 'iptables';
}

/** The families a selector needs rules in. */
export function iptablesFamilies(s: Selector): Family[] {
  const fams = new Set<Family>();
  for (const c of clauses(s)) {
    if (c.family === undefined) [4, 6].forEach((f) => fams.add(f as Family));
    else fams.add(c.family);
  }
  return [...fams].sort();
}

/** `-A CHAIN …` rule specs for one family. */
export function iptablesRules(chain: string, s: Selector, action: FilterAction, family: Family): string[][] {
  const rules: string[][] = [];
  // A reject's own answer (TCP reset, ICMP error) leaves through OUTPUT, and so through this chain: let it out.
  if (action.type === 'reject') {
    rules.push(['-A', chain, '-p', 'tcp', '--tcp-flags', 'RST', 'RST', '-j', 'RETURN']);
    rules.push(family === 6 ? ['-A', chain, '-p', 'ipv6-icmp', '--icmpv6-type', 'destination-unreachable', '-j', 'RETURN'] : ['-A', chain, '-p', 'icmp', '--icmp-type', 'destination-unreachable', '-j', 'RETURN']);
  }
  for (const c of clauses(s)) {
    if (c.family !== undefined && c.family !== family) continue;
    const toTarget = c.direction === 'ingress';
    const addr: string[] = [];
    if (c.addresses.length) addr.push(toTarget ? '-d' : '-s', c.addresses.join(','));
    if (c.peers.length) addr.push(toTarget ? '-s' : '-d', c.peers.join(','));
    const protos: (string | undefined)[] = s.protocol === 'all' ? (s.ports.length ? ['tcp', 'udp'] : [undefined]) : [s.protocol];
    for (const proto of protos) {
      const ports = s.ports.length ? ['-m', 'multiport', toTarget ? '--dports' : '--sports', s.ports.join(',')] : [];
      const base = ['-A', chain, ...addr, ...(proto ? ['-p', proto] : []), ...ports];
      if (action.type === 'drop') rules.push([...base, '-j', 'DROP']);
      else if (action.type === 'loss') rules.push([...base, '-m', 'statistic', '--mode', 'random', '--probability', (action.percent / 100).toFixed(5), '-j', 'DROP']);
      else if (proto === 'tcp') rules.push([...base, '-j', 'REJECT', '--reject-with', 'tcp-reset']);
      else if (proto === 'udp') rules.push([...base, '-j', 'REJECT']);
      else rules.push([...base, '-p', 'tcp', '-j', 'REJECT', '--reject-with', 'tcp-reset'], [...base, '-j', 'REJECT']);
    }
  }
  return rules;
}

/** The jumps into our chain, as `-I` specs (INPUT first: loopback is matched there only). */
export function iptablesJumps(chain: string, s: Selector): string[][] {
  return [['-I', 'INPUT', '1', ...(s.own ? ['!', '-i', 'lo'] : []), '-j', chain], ['-I', 'OUTPUT', '1', '!', '-o', 'lo', '-j', chain]];
}

/** Input for `iptables-restore --noflush`: the chain, its rules and the jumps, applied atomically. */
export function iptablesRestoreInput(chain: string, s: Selector, action: FilterAction, family: Family): string {
  return ['*filter', `:${chain} - [0:0]`, ...iptablesRules(chain, s, action, family).map((r) => r.join(' ')), ...iptablesJumps(chain, s).map((j) => j.join(' ')), 'COMMIT', ''].join('\n');
}

/** From `iptables -S INPUT` output: the `-D` specs that remove every jump to our chain. */
export function jumpDeletions(listing: string, chain: string): string[][] {
  return listing
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((words) => words[0] === '-A' && words.at(-1) === chain && words.at(-2) === '-j')
    .map((words) => ['-D', ...words.slice(1)]);
}
