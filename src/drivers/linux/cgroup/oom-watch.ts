/**
 * Watching a memory cgroup for OOM kills while a fault holds: the kernel's oom_kill counter, read
 * every 200 ms. Each kill is logged when it is seen, with the target processes that died since
 * (a victim may take a moment to go), and counted in the fault's journal details (`oomKills`,
 * `oomKilledPids`).
 */
import { isAlive, sameProcess } from '../../../util/proc.js';
import type { LinuxProcess } from '../target.js';
import { oomKills } from './files.js';

const watches = new Map<string, NodeJS.Timeout>();

export interface OomReport {
  [key: string]: number | number[];
  oomKills: number;
  oomKilledPids: number[];
}

/** `key` names the watch (a fault's cgroup or token) for stopOomWatch. */
export function watchOom(key: string, dir: string, version: 1 | 2, before: number, members: readonly LinuxProcess[], label: string, log: (m: string) => void, report: OomReport): void {
  stopOomWatch(key);
  let last = before;
  const timer = setInterval(() => {
    const now = oomKills(dir, version) ?? last;
    if (now > before) {
      const gone = members.filter((m) => !report.oomKilledPids.includes(m.pid) && !(isAlive(m.pid) && sameProcess(m.pid, m.startTicks))).map((m) => m.pid);
      report.oomKilledPids.push(...gone);
      if (gone.length && now === last) log(`OOM: pid ${gone.join(', ')} of ${label} died under the memory limit`);
    }
    if (now <= last) return;
    report.oomKills = now - before;
    log(`OOM: the kernel killed ${now - before} process(es) in the memory cgroup of ${label} (${dir})${report.oomKilledPids.length ? `; gone: pid ${report.oomKilledPids.join(', ')}` : ''}`);
    last = now;
  }, 200);
  timer.unref();
  watches.set(key, timer);
}

export function stopOomWatch(key: string): void {
  const timer = watches.get(key);
  if (timer) clearInterval(timer);
  watches.delete(key);
}
