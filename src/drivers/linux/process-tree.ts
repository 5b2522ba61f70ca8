/** Parent → children, read from /proc: to find what a process forked (a service's workers, stress-ng's stressors). */
import { readdirSync } from 'node:fs';
import { readParentPid } from '../../util/proc.js';

export function childrenMap(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const ppid = readParentPid(pid);
    if (ppid === undefined) continue;
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  return children;
}

/** The pids and everything below them, minus `exclude` (and what is below those). */
export function withDescendants(pids: readonly number[], exclude: ReadonlySet<number> = new Set(), children = childrenMap()): number[] {
  const seen = new Set(pids);
  const queue = [...pids];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      if (seen.has(child) || exclude.has(child)) continue;
      seen.add(child);
      queue.push(child);
    }
  }
  return [...seen];
}
