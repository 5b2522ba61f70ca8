/** Facts about this host that decide whether a fault can run: who we are, capabilities, tools, kernel features. */
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { runSync } from './exec.js';

/** Linux capability numbers (linux/capability.h) the linux faults need. */
export const CAPS = { KILL: 5, NET_ADMIN: 12, SYS_ADMIN: 21, SYS_PTRACE: 19, SYS_RESOURCE: 24 } as const;
export type CapName = keyof typeof CAPS;

/** What preflight asks about the host; tests pass a fake one. */
export interface HostFacts {
  uid: number;
  /** Effective capability set (CapEff of /proc/self/status). */
  caps: bigint;
  which(tool: string): string | undefined;
  /** Whether the kernel has this qdisc (netem, htb): probed in a throwaway network namespace. */
  hasQdisc(kind: string): boolean;
}

/** The effective capabilities of this process, from /proc/self/status. */
export function readCapEff(status: string): bigint {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

export function hasCap(caps: bigint, cap: CapName): boolean {
  return (caps & (1n << BigInt(CAPS[cap]))) !== 0n;
}

/** root's usual tool directories, searched after PATH: a sudo'd or cron'd PATH often lacks /usr/sbin. */
const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin', '/bin'];

export function which(tool: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of [...path.split(delimiter).filter(Boolean), ...SBIN]) {
    const full = join(dir, tool);
    try {
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      /* next */
    }
  }
  return undefined;
}

const qdiscCache = new Map<string, boolean>();

/**
 * Whether the kernel knows a qdisc kind. Adding it to `lo` of a brand-new network namespace
 * (`unshare --net`, gone when tc exits) touches nothing of the host's.
 */
export function kernelHasQdisc(kind: string): boolean {
  const known = qdiscCache.get(kind);
  if (known !== undefined) return known;
  const args = kind === 'netem' ? ['netem', 'delay', '1ms'] : kind === 'tbf' ? ['tbf', 'rate', '1mbit', 'burst', '32kbit', 'latency', '50ms'] : [kind];
  const res = runSync(which('unshare') ?? 'unshare', ['--net', which('tc') ?? 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', ...args]);
  const ok = res.code === 0;
  qdiscCache.set(kind, ok);
  return ok;
}

let liveCaps: bigint | undefined;

export const liveHost: HostFacts = {
  get uid() {
    return process.getuid?.() ?? -1;
  },
  get caps() {
    if (liveCaps === undefined) {
      try {
        liveCaps = readCapEff(readStatus());
      } catch {
        liveCaps = 0n;
      }
    }
    return liveCaps;
  },
  which: (tool) => which(tool),
  hasQdisc: kernelHasQdisc,
};

function readStatus(): string {
  return readFileSync('/proc/self/status', 'utf8');
}
