/**
 * Traffic shaping with tc: an htb root qdisc of faultline's own on each interface, class 1 for
 * the selected traffic (rate-limited, or given a netem child), class 2 for everything else
 * (unlimited), and u32 filters that send the selected packets to class 1. Without a selector
 * (a namespace of the target's own), everything goes to class 1.
 *
 * tc acts on packets as they leave an interface: on `lo` that is both directions, elsewhere what
 * is sent from this namespace.
 */
import { clauses, type Clause, type Selector } from './selector.js';

/** Effectively unlimited for htb (64-bit rates). */
export const UNLIMITED_RATE = '100gbit';

export interface ShapeSpec {
  /** The root qdisc's major handle, as tc writes it (hex, e.g. `fa11`). */
  handle: string;
  /** Bits per second for the selected traffic; undefined: unlimited (netem only). */
  rateBits?: number;
  burstBytes?: number;
  /** netem arguments for the selected traffic (delay, loss, …). */
  netem?: string[];
}

/** The u32 filter arguments (after `tc filter add dev D parent H:`) that select the traffic. */
export function u32Filters(s: Selector, handle: string): string[][] {
  const out: string[][] = [];
  for (const c of clauses(s)) {
    for (const family of c.family === undefined ? ([4, 6] as const) : [c.family]) {
      for (const terms of clauseTerms(c, s, family)) {
        if (terms.length === 0) continue;
        out.push(['protocol', family === 6 ? 'ipv6' : 'ip', 'prio', family === 6 ? '2' : '1', 'u32', ...terms, 'flowid', `${handle}:1`]);
      }
    }
  }
  return out;
}

function clauseTerms(c: Clause, s: Selector, family: 4 | 6): string[][] {
  const ip = family === 6 ? 'ip6' : 'ip';
  const full = family === 6 ? 128 : 32;
  const cidr = (a: string) => (a.includes('/') ? a : `${a}/${full}`);
  const toTarget = c.direction === 'ingress';
  const combos: string[][] = [];
  for (const addr of c.addresses.length ? c.addresses : [undefined]) {
    for (const peer of c.peers.length ? c.peers : [undefined]) {
      for (const port of s.ports.length ? s.ports : [undefined]) {
        const terms: string[] = [];
        if (addr !== undefined) terms.push('match', ip, toTarget ? 'dst' : 'src', cidr(addr));
        if (peer !== undefined) terms.push('match', ip, toTarget ? 'src' : 'dst', cidr(peer));
        if (s.protocol !== 'all') terms.push('match', ip, 'protocol', s.protocol === 'tcp' ? '6' : '17', '0xff');
        if (port !== undefined) terms.push('match', ip, toTarget ? 'dport' : 'sport', String(port), '0xffff');
        combos.push(terms);
      }
    }
  }
  return combos;
}

/** The `tc -batch` lines that set up the shaping on one device. */
export function shapeBatch(dev: string, s: Selector, spec: ShapeSpec): string[] {
  const h = spec.handle;
  const filters = u32Filters(s, h);
  const rate = spec.rateBits !== undefined ? `${spec.rateBits}bit` : UNLIMITED_RATE;
  const burst = spec.burstBytes !== undefined ? ` burst ${spec.burstBytes}b cburst ${spec.burstBytes}b` : '';
  const lines = [
    `qdisc add dev ${dev} root handle ${h}: htb default ${filters.length ? 2 : 1}`,
    `class add dev ${dev} parent ${h}: classid ${h}:1 htb rate ${rate} ceil ${rate}${burst} quantum 60000`,
  ];
  if (filters.length) lines.push(`class add dev ${dev} parent ${h}: classid ${h}:2 htb rate ${UNLIMITED_RATE} quantum 60000`);
  if (spec.netem) lines.push(`qdisc add dev ${dev} parent ${h}:1 handle ${childHandle(h)}: netem ${spec.netem.join(' ')}`);
  for (const f of filters) lines.push(`filter add dev ${dev} parent ${h}: ${f.join(' ')}`);
  return lines;
}

export function childHandle(handle: string): string {
  return (parseInt(handle, 16) + 1).toString(16);
}

/** A root qdisc handle in 1000..efff: ours, unlikely to be anyone else's, never the kernel's 0:. */
export function randomHandle(random = Math.random): string {
  return (0x1000 + Math.floor(random() * 0xe000)).toString(16);
}

export interface QdiscInfo {
  kind: string;
  handle: string;
  root?: boolean;
  dev?: string;
}

/** The root qdisc from `tc -j qdisc show dev D`; undefined when the device has none (down, or no queue). */
export function rootQdisc(json: string): QdiscInfo | undefined {
  const text = json.trim();
  if (!text) return undefined;
  const list = JSON.parse(text) as QdiscInfo[];
  return list.find((q) => q.root);
}

/** The kernel's own default root qdiscs have handle 0: — anything else was set up by someone. */
export function isKernelDefault(q: QdiscInfo | undefined): boolean {
  return q === undefined || q.handle === '0:';
}

export interface NetemSpec {
  delayMs?: number;
  jitterMs?: number;
  correlation?: number;
  loss?: number;
  corrupt?: number;
  duplicate?: number;
  reorder?: number;
}

export function netemArgs(n: NetemSpec): string[] {
  const args: string[] = [];
  if (n.delayMs !== undefined) {
    args.push('delay', `${n.delayMs}ms`);
    if (n.jitterMs !== undefined) args.push(`${n.jitterMs}ms`, ...(n.correlation !== undefined ? [`${n.correlation}%`] : []));
  }
  if (n.loss !== undefined) args.push('loss', `${n.loss}%`);
  if (n.corrupt !== undefined) args.push('corrupt', `${n.corrupt}%`);
  if (n.duplicate !== undefined) args.push('duplicate', `${n.duplicate}%`);
  if (n.reorder !== undefined) args.push('reorder', `${n.reorder}%`);
  return args;
}
