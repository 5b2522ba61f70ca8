/**
 * Network namespaces by identity. A namespace is its nsfs inode; the pid that led us to it is
 * only a way in. After a crash the pid may be gone while the namespace lives on (held by another
 * process or an `ip netns` mount), so revert looks for any way in to the same inode.
 */
import { readdirSync, statSync } from 'node:fs';
import { sameProcess } from '../../util/proc.js';

/** Plain JSON (it goes into the ledger). */
export interface NetnsRef {
  inode: number;
  /** The process we entered it through (absent for faultline's own namespace). */
  pid?: number;
  startTicks?: number;
}

/** How to run commands in a namespace: directly (ours) or through `nsenter --net=PATH`. */
export type NetnsPath = { self: true } | { self: false; path: string };

export function netnsInode(pid: number | 'self'): number | undefined {
  try {
    return statSync(`/proc/${pid}/ns/net`).ino;
  } catch {
    return undefined;
  }
}

/** Where to enter the namespace now, or undefined when it no longer exists anywhere we can see. */
export function locateNetns(ref: NetnsRef): NetnsPath | undefined {
  if (netnsInode('self') === ref.inode) return { self: true };
  if (ref.pid !== undefined && ref.startTicks !== undefined && sameProcess(ref.pid, ref.startTicks) && netnsInode(ref.pid) === ref.inode) {
    return { self: false, path: `/proc/${ref.pid}/ns/net` };
  }
  for (const dir of ['/run/netns', '/var/run/netns']) {
    for (const name of safeReaddir(dir)) {
      const path = `${dir}/${name}`;
      if (inodeOf(path) === ref.inode) return { self: false, path };
    }
  }
  for (const name of safeReaddir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    if (netnsInode(Number(name)) === ref.inode) return { self: false, path: `/proc/${name}/ns/net` };
  }
  return undefined;
}

/** The command line that runs `cmd args` inside the namespace. */
export function inNetns(ns: NetnsPath, cmd: string, args: readonly string[]): [string, string[]] {
  return ns.self ? [cmd, [...args]] : ['nsenter', [`--net=${ns.path}`, '--', cmd, ...args]];
}

function inodeOf(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
