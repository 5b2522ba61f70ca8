/**
 * The nftables backend: one table of faultline's own per fault (`inet faultline_<id>`), with
 * input and output chains. Removing the fault deletes that table and nothing else.
 *
 * Every packet is seen once: loopback traffic in the input chain only (the output chain returns
 * on `lo`), so a random loss is not applied twice to packets that leave and enter this host.
 */
import { clauses, type Clause, type Selector } from './selector.js';
import type { FilterAction } from './filter-action.js';

export function nftTableName(id: string): string {
  return `faultline_${id}`;
}

function set(values: readonly (string | number)[]): string {
  return values.length === 1 ? String(values[0]) : `{ ${values.join(', ')} }`;
}

function matchOf(c: Clause, s: Selector): string {
  const parts: string[] = [];
  const ip = c.family === 6 ? 'ip6' : 'ip';
  const toTarget = c.direction === 'ingress';
  if (c.addresses.length) parts.push(`${ip} ${toTarget ? 'daddr' : 'saddr'} ${set(c.addresses)}`);
  if (c.peers.length) parts.push(`${ip} ${toTarget ? 'saddr' : 'daddr'} ${set(c.peers)}`);
  const proto = s.protocol === 'all' ? '{ tcp, udp }' : s.protocol;
  if (s.ports.length) parts.push(`meta l4proto ${proto} th ${toTarget ? 'dport' : 'sport'} ${set(s.ports)}`);
  else if (s.protocol !== 'all') parts.push(`meta l4proto ${s.protocol}`);
  return parts.join(' ');
}

function actionLines(match: string, s: Selector, action: FilterAction): string[] {
  const m = match ? `${match} ` : '';
  switch (action.type) {
    case 'drop':
      return [`${m}counter drop`];
    case 'loss':
      return [`${m}numgen random mod 10000 < ${Math.round(action.percent * 100)} counter drop`];
    case 'reject': {
      const tcp = `${m}meta l4proto tcp counter reject with tcp reset`;
      const other = `${m}counter reject with icmpx type port-unreachable`;
      return s.protocol === 'tcp' ? [tcp] : s.protocol === 'udp' ? [other] : [tcp, other];
    }
  }
}

export function nftRules(s: Selector, action: FilterAction): string[] {
  return clauses(s).flatMap((c) => actionLines(matchOf(c, s), s, action));
}

/** The nft script that creates the fault's table. */
export function nftScript(table: string, s: Selector, action: FilterAction): string {
  const rules = nftRules(s, action).map((r) => `    ${r}`);
  // A reject answers with a TCP reset or an ICMP error, sent from here through the output hook:
  // let those out, or our own egress rules would swallow them and the peer would only time out.
  const answers = action.type === 'reject' ? ['    tcp flags & rst == rst return', '    icmp type destination-unreachable return', '    icmpv6 type destination-unreachable return'] : [];
  const chain = (name: string, hook: string, skipLo: string | undefined, first: string[] = []) =>
    [`  chain ${name} {`, `    type filter hook ${hook} priority filter; policy accept;`, ...(skipLo ? [`    ${skipLo} "lo" return`] : []), ...first, ...rules, '  }'].join('\n');
  return [
    `table inet ${table} {`,
    // In the host's namespace loopback traffic is matched on input only; in a namespace of the target's own, not at all.
    chain('input', 'input', s.own ? 'iifname' : undefined),
    chain('output', 'output', 'oifname', answers),
    '}',
    '',
  ].join('\n');
}

/** Deletes the table if it exists: adding an empty table first makes the delete succeed either way, in one transaction. */
export function nftDeleteScript(table: string): string {
  return `table inet ${table} {}\ndelete table inet ${table}\n`;
}
