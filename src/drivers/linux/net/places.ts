/**
 * Where a network fault goes: the network namespace of each of the target's processes (grouped:
 * replicas in one namespace share its rules), or this host's own for a `host:port` target.
 */
import { TargetError } from '../../../errors/index.js';
import { sameProcess } from '../../../util/proc.js';
import { netnsInode, type NetnsRef } from '../netns.js';
import { NSENTER_TOOL, type Requirement } from '../preflight.js';
import type { LinuxTarget } from '../target.js';

export interface Place {
  ns: NetnsRef;
  /** A namespace of the target's own (a container's), not the one faultline runs in. */
  own: boolean;
}

export function networkPlaces(target: LinuxTarget): Place[] {
  const self = netnsInode('self');
  if (self === undefined) throw new TargetError('cannot read /proc/self/ns/net: linux network faults need /proc');
  if (target.processes.length === 0) return [{ ns: { inode: self }, own: false }];
  const byInode = new Map<number, Place>();
  for (const p of target.processes) {
    const inode = sameProcess(p.pid, p.startTicks) ? netnsInode(p.pid) : undefined;
    if (inode === undefined || byInode.has(inode)) continue;
    byInode.set(inode, inode === self ? { ns: { inode }, own: false } : { ns: { inode, pid: p.pid, startTicks: p.startTicks }, own: true });
  }
  if (byInode.size === 0) throw new TargetError(`${target.label} is no longer running`, target.service);
  return [...byInode.values()];
}

/** Entering another namespace takes nsenter and CAP_SYS_ADMIN. */
export function placeRequirements(places: readonly Place[]): Requirement[] {
  return places.some((p) => p.own) ? [NSENTER_TOOL, { kind: 'privilege', caps: ['SYS_ADMIN'] }] : [];
}

export function describePlace(p: Place): string {
  return p.own ? `network namespace of pid ${p.ns.pid} (net:[${p.ns.inode}])` : "this host's network namespace";
}
