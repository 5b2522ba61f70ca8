/**
 * `fd-exhaustion`: the service's processes run out of file descriptors — their soft
 * RLIMIT_NOFILE is lowered (prlimit) so that only `free` more descriptors can be opened, and new
 * sockets and files fail with EMFILE. The hard limit is left alone; revert restores the soft limit
 * on the same processes (start time checked).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { TargetError } from '../../../errors/index.js';
import { sameProcess } from '../../../util/proc.js';
import { runOk } from '../exec.js';
import { checkRequirements, type Requirement } from '../preflight.js';
import { parseInfo, PlanMemo } from '../planned.js';
import type { LinuxFaultKind } from '../net/filter-fault.js';
import { targetMembers } from '../cgroup/members.js';

const params = z.strictObject({
  free: z.number().int().min(0).default(0).describe('Descriptors the process may still open (default 0: the next open fails)'),
});
export type FdExhaustionParams = z.output<typeof params>;

const limitsSchema = z.object({ soft: z.string(), hard: z.string() });
const infoSchema = z.object({ processes: z.array(z.object({ pid: z.number().int().positive(), startTicks: z.number().int().nonnegative(), previous: limitsSchema, soft: z.number().int() })) });
type Info = z.output<typeof infoSchema>;

/** Soft and hard "Max open files" from /proc/PID/limits ("unlimited" or a number). */
export function parseNofile(limits: string): { soft: string; hard: string } | undefined {
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
  return m ? { soft: m[1]!, hard: m[2]! } : undefined;
}

/**
 * The soft limit that leaves exactly `free` more descriptors: a new descriptor takes the lowest
 * unused number and must be below the limit, so the limit is the (free+1)-th unused number.
 */
export function limitLeaving(openFds: readonly number[], free: number): number {
  const used = new Set(openFds);
  for (let n = 0, unused = 0; ; n++) {
    if (used.has(n)) continue;
    if (unused === free) return n;
    unused++;
  }
}

function ownerOf(pid: number): number | undefined {
  try {
    return statSync(`/proc/${pid}`).uid;
  } catch {
    return undefined;
  }
}

function openFds(pid: number): number[] {
  return readdirSync(`/proc/${pid}/fd`).map(Number).filter(Number.isInteger);
}

const requirements: Requirement[] = [{ kind: 'tool', anyOf: ['prlimit'], install: 'apt-get install util-linux' }];

const memo = new PlanMemo<Info>();

export const fdExhaustionFault: LinuxFaultKind<FdExhaustionParams> = {
  name: 'fd-exhaustion',
  driver: 'linux',
  summary: 'Leave the service\'s processes no (or `free`) file descriptors: their soft RLIMIT_NOFILE is lowered to what they have open',
  timing: 'held',
  revertSummary: 'the previous soft limit restored with prlimit, on the same processes only (start time checked)',
  params,
  requirements: () => requirements,
  plan(target, p) {
    checkRequirements('fd-exhaustion', requirements);
    const members = targetMembers(target);
    const uid = process.getuid?.() ?? 0;
    checkRequirements('fd-exhaustion', [
      {
        kind: 'check',
        problem: () => {
          const foreign = uid === 0 ? [] : members.filter((m) => ownerOf(m.pid) !== uid);
          return foreign.length ? `needs root to change the limits of pid ${foreign.map((m) => m.pid).join(', ')} (another user's); faultline runs as uid ${uid}` : undefined;
        },
      },
    ]);
    const processes = members.map((m) => {
      let previous: { soft: string; hard: string } | undefined;
      let fds: number[];
      try {
        previous = parseNofile(readFileSync(`/proc/${m.pid}/limits`, 'utf8'));
        fds = openFds(m.pid);
      } catch (err) {
        throw new TargetError(`fd-exhaustion on ${target.label}: cannot read /proc/${m.pid}: ${(err as Error).message}`, target.service);
      }
      if (!previous) throw new TargetError(`fd-exhaustion on ${target.label}: no "Max open files" in /proc/${m.pid}/limits`, target.service);
      return { pid: m.pid, startTicks: m.startTicks, previous, soft: limitLeaving(fds, p.free) };
    });
    return memo.remember(target, { processes });
  },
  async inject(target, p, ctx) {
    const info = memo.recall(target, () => fdExhaustionFault.plan(target, p) as Info);
    for (const proc of info.processes) {
      if (!sameProcess(proc.pid, proc.startTicks)) continue;
      // Only ever lower it: never above the soft limit it had (nor, so, the hard one).
      const soft = proc.previous.soft === 'unlimited' ? proc.soft : Math.min(proc.soft, Number(proc.previous.soft));
      await runOk('prlimit', ['--pid', String(proc.pid), `--nofile=${soft}:`], { signal: ctx.signal });
    }
    ctx.log(`fd-exhaustion on ${target.label}: soft nofile limit of ${info.processes.map((x) => `pid ${x.pid} ${x.previous.soft} → ${x.soft}`).join(', ')}`);
    return { details: { limits: info.processes.map((x) => `pid ${x.pid}: ${x.previous.soft} -> ${x.soft}`) } };
  },
  async revert(raw) {
    const info = parseInfo(infoSchema, raw, 'fd-exhaustion');
    for (const proc of info.processes) {
      if (!sameProcess(proc.pid, proc.startTicks)) continue; // gone: nothing to restore
      await runOk('prlimit', ['--pid', String(proc.pid), `--nofile=${proc.previous.soft === 'unlimited' ? 'unlimited' : proc.previous.soft}:`]);
    }
  },
};
