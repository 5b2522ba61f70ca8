/**
 * CPU and memory of process services from /proc. A service under `faultline up` runs in its own
 * process group (the supervisor spawns it detached), so its figures are the whole group's — a
 * `sh -c` wrapper and the server it starts count as one service. CPU is a rate: the ticks used
 * between two samples of the same group over the wall time between them.
 */
import { readFileSync, readdirSync } from 'node:fs';

/**
 * USER_HZ: the unit of utime/stime in /proc/PID/stat. The kernel fixes it at 100 for user space on
 * every architecture Node runs on (the real tick rate, CONFIG_HZ, is hidden behind it).
 */
const TICKS_PER_SECOND = 100;

export interface ProcSample {
  /** utime + stime of every process of the group, in ticks. */
  ticks: number;
  rssBytes: number;
  pids: number[];
  /** performance.now() when read. */
  at: number;
}

interface Stat {
  pid: number;
  pgrp: number;
  ticks: number;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // exited while we looked
  }
  // Fields after the last ')' (comm may hold spaces and parens): state is field 3, so field n is at n-3.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  if (f[0] === 'Z') return undefined; // a zombie uses nothing any more
  return { pid, pgrp: Number(f[2]), ticks: Number(f[11]) + Number(f[12]) };
}

function readRssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * One sample per leader pid: the processes of its group when it leads one, else the process
 * alone. Absent from the map when the process is gone. One pass over /proc serves every leader.
 */
export function sampleProcessGroups(leaders: readonly number[]): Map<number, ProcSample> {
  const out = new Map<number, ProcSample>();
  if (leaders.length === 0) return out;
  const at = performance.now();
  const leaderStats = new Map<number, Stat>();
  for (const pid of leaders) {
    const s = readStat(pid);
    if (s) leaderStats.set(pid, s);
  }
  const groups = new Set([...leaderStats.values()].filter((s) => s.pgrp === s.pid).map((s) => s.pid));
  const members = new Map<number, Stat[]>([...leaderStats.keys()].map((pid) => [pid, groups.has(pid) ? [] : [leaderStats.get(pid)!]]));
  if (groups.size > 0) {
    let names: string[] = [];
    try {
      names = readdirSync('/proc');
    } catch {
      // no /proc: nothing to report
    }
    for (const name of names) {
      if (!/^\d+$/.test(name)) continue;
      const s = readStat(Number(name));
      if (s && groups.has(s.pgrp)) members.get(s.pgrp)!.push(s);
    }
  }
  for (const [leader, list] of members) {
    if (list.length === 0) continue;
    out.set(leader, {
      ticks: list.reduce((sum, s) => sum + s.ticks, 0),
      rssBytes: list.reduce((sum, s) => sum + readRssBytes(s.pid), 0),
      pids: list.map((s) => s.pid).sort((a, b) => a - b),
      at,
    });
  }
  return out;
}

/** CPU percent of one core between two samples of the same group, or null when there is no earlier one. */
export function cpuPercent(previous: ProcSample | undefined, current: ProcSample): number | null {
  if (!previous) return null;
  const seconds = (current.at - previous.at) / 1000;
  if (seconds <= 0) return null;
  // A process that left the group takes its ticks with it: never report a negative rate.
  const ticks = Math.max(0, current.ticks - previous.ticks);
  return (ticks / TICKS_PER_SECOND / seconds) * 100;
}
