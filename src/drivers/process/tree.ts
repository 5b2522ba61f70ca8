/**
 * Signalling a process and everything it started. A process group is not enough for servers
 * that put each child in its own session (PostgreSQL's postmaster does, for every backend), so
 * the tree is found from the parent links in /proc.
 */
import { readdirSync } from 'node:fs';
import { readParentPid } from '../../util/proc.js';
import { sendSignal } from './signals.js';

/** Every live descendant of `root`, parents before their children. */
export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const parent = readParentPid(pid); // undefined: exited while we scanned
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const out: number[] = [];
  for (let i = -1; i < out.length; i++) {
    for (const child of children.get(i < 0 ? root : out[i]!) ?? []) if (child !== root && !out.includes(child)) out.push(child);
  }
  return out;
}

/**
 * SIGSTOP to `root` (already known to be the process meant), then to its descendants until no
 * new one appears: a stopped parent forks no more, and a child forked by a not-yet-stopped one is
 * found on the next pass. Returns how many processes were stopped.
 */
export function stopTree(root: number): number {
  if (!sendSignal(root, 'SIGSTOP')) return 0;
  const stopped = new Set<number>();
  for (;;) {
    const fresh = descendantsOf(root).filter((p) => !stopped.has(p));
    if (fresh.length === 0) return 1 + stopped.size;
    for (const pid of fresh) {
      sendSignal(pid, 'SIGSTOP');
      stopped.add(pid);
    }
  }
}

/** SIGCONT to the descendants of `root` and then to `root`. */
export function continueTree(root: number): void {
  for (const pid of descendantsOf(root)) sendSignal(pid, 'SIGCONT');
  sendSignal(root, 'SIGCONT');
}
