/** The processes a resource fault acts on: the target's, plus their descendants (a service's workers), never faultline or its ancestors. */
import { TargetError } from '../../../errors/index.js';
import { readStartTicks, sameProcess, selfAndAncestors } from '../../../util/proc.js';
import { withDescendants } from '../process-tree.js';
import type { LinuxProcess, LinuxTarget } from '../target.js';

export function targetMembers(target: LinuxTarget): LinuxProcess[] {
  if (target.processes.length === 0) {
    throw new TargetError(`${target.label} has no process (a watch-only endpoint): resource faults need a process, pid, pidFile or match target`, target.service);
  }
  const live = target.processes.filter((p) => sameProcess(p.pid, p.startTicks));
  if (live.length === 0) throw new TargetError(`${target.label} is no longer running`, target.service);
  const protectedPids = selfAndAncestors();
  const self = live.find((p) => protectedPids.has(p.pid));
  if (self) throw new TargetError(`${target.label}: pid ${self.pid} is faultline itself or one of its parents; refusing to act on it`, target.service);

  const members = new Map(live.map((p) => [p.pid, p]));
  for (const pid of withDescendants(live.map((p) => p.pid), protectedPids)) {
    if (members.has(pid)) continue;
    const startTicks = readStartTicks(pid);
    if (startTicks !== undefined) members.set(pid, { pid, startTicks });
  }
  return [...members.values()];
}
