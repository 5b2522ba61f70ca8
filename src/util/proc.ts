/**
 * Linux /proc helpers. A pid alone is not an identity (pids are recycled), so everything that
 * signals a process later — a revert, a restart — pairs it with its start time in clock ticks.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Fields of /proc/PID/stat from field 3 (state) on. Parsed after the last ')' because comm may hold spaces and parens. */
function statFields(pid: number): string[] | undefined {
  if (!isPid(pid)) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const close = stat.lastIndexOf(')');
  return close < 0 ? undefined : stat.slice(close + 2).trim().split(' ');
}

function isPid(pid: number): boolean {
  // kill(0, …) or kill(-n, …) would signal process groups: never let such a value through.
  return Number.isInteger(pid) && pid > 0;
}

/** Field 22: when the process started, in clock ticks since boot. Stable for the process's life. */
export function readStartTicks(pid: number): number | undefined {
  const value = statFields(pid)?.[19];
  return value === undefined ? undefined : Number(value);
}

/** Field 3: 'R' running, 'S' sleeping, 'D' disk wait, 'T' stopped, 't' traced, 'Z' zombie, … */
export function processState(pid: number): string | undefined {
  return statFields(pid)?.[0];
}

/** Field 4: the parent pid. */
export function readParentPid(pid: number): number | undefined {
  const value = statFields(pid)?.[1];
  return value === undefined ? undefined : Number(value);
}

/** True while the process exists and has not exited. A zombie has exited: it only waits to be reaped. */
export function isAlive(pid: number): boolean {
  if (!isPid(pid)) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return processState(pid) !== 'Z';
}

/** Whether `pid` is still the process that had `startTicks` (and not a recycled pid). */
export function sameProcess(pid: number, startTicks: number): boolean {
  return readStartTicks(pid) === startTicks;
}

/** The argv of a process. Throws when it is gone or unreadable; empty for kernel threads. */
export function readCmdline(pid: number): string[] {
  const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  const args = raw.split('\0');
  if (args.at(-1) === '') args.pop();
  return args;
}

/** The working directory of a process. Throws when it is gone or unreadable. */
export function readCwd(pid: number): string {
  return readlinkSync(`/proc/${pid}/cwd`);
}

/** The environment the process was started with (later changes made by the process are not visible). */
export function readEnviron(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** The parent, grandparent, … of `pid`, up to (not including) pid 0. */
export function ancestorsOf(pid: number): number[] {
  const out: number[] = [];
  for (let p = readParentPid(pid); p !== undefined && p > 0 && !out.includes(p); p = readParentPid(p)) out.push(p);
  return out;
}

/** Live processes whose space-joined command line matches `regex`, minus `exclude`. */
export function findByCommandLine(regex: RegExp, exclude: Set<number>): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (exclude.has(pid)) continue;
    let args: string[];
    try {
      args = readCmdline(pid);
    } catch {
      continue; // exited while we scanned
    }
    if (args.length === 0) continue; // kernel thread or zombie
    regex.lastIndex = 0; // a /g or /y regex keeps state between test() calls
    if (regex.test(args.join(' ')) && isAlive(pid)) found.push(pid);
  }
  return found;
}

/** The pids faultline must never match or signal: itself and its ancestors (its shell, its CI runner, …). */
export function selfAndAncestors(): Set<number> {
  return new Set([process.pid, ...ancestorsOf(process.pid)]);
}
