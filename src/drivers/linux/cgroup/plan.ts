/**
 * Resource limits and freezing through cgroups, v1 or v2, with an exact undo.
 *
 * Two ways, chosen per hierarchy:
 * - **in-place**: the target's processes have a cgroup to themselves (a container, a systemd
 *   unit): write the new values there and, on revert, the previous ones back. Exact, and memory
 *   already in use counts against the limit. The cgroup's inode is recorded, so a cgroup that was
 *   removed and re-created meanwhile is never written.
 * - **move**: the cgroup is shared (with faultline, a shell, other services) or is the root: make
 *   a cgroup of faultline's own (`faultline-<id>`), set the values there, move the processes in;
 *   on revert move every process in it back where it came from (children born meanwhile go where
 *   their service came from) and remove it. On v1 it is made inside the processes' cgroup, so the
 *   limits above still apply; v2 cannot nest under a cgroup that has processes, so limits go in a
 *   cgroup under the root. The kernel does not move memory already charged, so a memory limit
 *   counts what the processes allocate after the move.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { TargetError } from '../../../errors/index.js';
import { sameProcess } from '../../../util/proc.js';
import { HostCommandError } from '../errors.js';
import type { LinuxTarget } from '../target.js';
import { cgroupInode, cgroupProcs, makeCgroup, moveProcess, oomKills, readCgroupFile, removeCgroup, writeCgroupFile } from './files.js';
import { cgroupDirOf, hierarchyFor, hostHierarchies, type Controller, type Hierarchy } from './hierarchy.js';
import { targetMembers } from './members.js';

export interface Wants {
  cpus?: number;
  memoryBytes?: number;
  freeze?: boolean;
}

export type Mode = 'auto' | 'move' | 'in-place';
export const modeParam = z
  .enum(['auto', 'move', 'in-place'])
  .default('auto')
  .describe("in-place: change the target's own cgroup (it must hold nothing else); move: into a cgroup of faultline's own and back; auto (default): in-place when the cgroup is the target's alone");

export interface Setting {
  file: string;
  value: string;
}

const settingSchema = z.object({ file: z.string(), value: z.string() });
export const cgroupPlanSchema = z.object({
  version: z.union([z.literal(1), z.literal(2)]),
  mount: z.string(),
  controllers: z.array(z.enum(['cpu', 'memory', 'freezer'])),
  mode: z.enum(['in-place', 'move']),
  dir: z.string(),
  inode: z.number().optional(),
  settings: z.array(settingSchema),
  previous: z.array(settingSchema),
  origins: z.array(z.object({ pid: z.number().int().positive(), startTicks: z.number().int().nonnegative(), dir: z.string() })),
  fallback: z.string().optional(),
  copyCpuset: z.boolean().optional(),
  oomBefore: z.number().optional(),
});
export type CgroupPlan = z.output<typeof cgroupPlanSchema>;

const V1_PERIOD_US = 100_000;
const FREEZE_FILES = new Set(['freezer.state', 'cgroup.freeze']);

/** The files to write for a controller, in order. `period` is the CFS period the quota is relative to. */
export function cgroupSettings(version: 1 | 2, controller: Controller, wants: Wants, period: number, fresh: boolean): Setting[] {
  switch (controller) {
    case 'cpu': {
      const quota = String(Math.max(1000, Math.round(wants.cpus! * period)));
      if (version === 2) return [{ file: 'cpu.max', value: `${quota} ${period}` }];
      return [...(fresh ? [{ file: 'cpu.cfs_period_us', value: String(period) }] : []), { file: 'cpu.cfs_quota_us', value: quota }];
    }
    case 'memory':
      return [{ file: version === 2 ? 'memory.max' : 'memory.limit_in_bytes', value: String(wants.memoryBytes!) }];
    case 'freezer':
      return [version === 2 ? { file: 'cgroup.freeze', value: '1' } : { file: 'freezer.state', value: 'FROZEN' }];
  }
}

function controllersOf(wants: Wants): Controller[] {
  return [...(wants.cpus !== undefined ? (['cpu'] as const) : []), ...(wants.memoryBytes !== undefined ? (['memory'] as const) : []), ...(wants.freeze ? (['freezer'] as const) : [])];
}

/** Reads what is needed and decides how; writes nothing. Plain JSON out: it goes into the ledger. */
export function planCgroups(fault: string, target: LinuxTarget, wants: Wants, mode: Mode, id: string, hierarchies: readonly Hierarchy[] = hostHierarchies()): CgroupPlan[] {
  const members = targetMembers(target);
  const memberPids = new Set(members.map((m) => m.pid));
  const byMount = new Map<string, { h: Hierarchy; controllers: Controller[] }>();
  for (const c of controllersOf(wants)) {
    const h = hierarchyFor(c, hierarchies);
    if (!h) throw new TargetError(`${fault}: no cgroup hierarchy for ${c} on this host`);
    const entry = byMount.get(h.mount) ?? { h, controllers: [] };
    entry.controllers.push(c);
    byMount.set(h.mount, entry);
  }

  return [...byMount.values()].map(({ h, controllers }) => {
    const dirs = members.map((m) => cgroupDirOf(m.pid, h));
    if (dirs.some((d) => d === undefined)) throw new TargetError(`${fault}: cannot read the cgroup of ${target.label} in ${h.mount}`, target.service);
    const common = dirs.every((d) => d === dirs[0]) ? dirs[0]! : undefined;
    // v2 cgroups have a controller's files only where their parent enables it for them.
    const files = controllers.flatMap((c) => cgroupSettings(h.version, c, wants, V1_PERIOD_US, false)).map((x) => x.file);
    const missingFile = common === undefined ? undefined : files.find((f) => !existsSync(join(common, f)));
    const exclusive = common !== undefined && common !== h.mount && cgroupProcs(common).every((p) => memberPids.has(p));
    if (mode === 'in-place' && exclusive && missingFile) {
      throw new TargetError(`${fault} on ${target.label}: mode in-place, but ${common} has no ${missingFile} (the controller is not enabled there); use mode move (or auto)`, target.service);
    }
    if (mode === 'in-place' && !exclusive) {
      throw new TargetError(
        `${fault} on ${target.label}: mode in-place needs a cgroup holding only the target's processes, but ${common === undefined ? 'they are in different cgroups' : common === h.mount ? 'they are in the root cgroup' : `${common} also holds pids ${cgroupProcs(common).filter((p) => !memberPids.has(p)).slice(0, 5).join(', ')}`}; use mode move (or auto)`,
        target.service,
      );
    }
    const oomBase = controllers.includes('memory');
    if (exclusive && !missingFile && mode !== 'move') {
      const dir = common;
      if (controllers.includes('freezer')) {
        const state = readCgroupFile(dir, h.version === 2 ? 'cgroup.freeze' : 'freezer.state');
        if (state !== '0' && state !== 'THAWED') throw new TargetError(`${fault} on ${target.label}: its cgroup ${dir} is already frozen (by someone else); faultline leaves it alone`, target.service);
      }
      const period = controllers.includes('cpu') ? currentPeriod(dir, h.version) : V1_PERIOD_US;
      const settings = controllers.flatMap((c) => cgroupSettings(h.version, c, wants, period, false));
      const previous = settings.map((s) => ({ file: s.file, value: readCgroupFile(dir, s.file) }));
      const oom = oomBase ? oomKills(dir, h.version) : undefined;
      return { version: h.version, mount: h.mount, controllers, mode: 'in-place', dir, inode: cgroupInode(dir), settings, previous, origins: [], ...(oom !== undefined ? { oomBefore: oom } : {}) };
    }

    // A cgroup of our own. v2 cannot enable cpu/memory below a cgroup that has processes: use the root's.
    const needsController = controllers.some((c) => c !== 'freezer');
    const parent = h.version === 2 && needsController ? h.mount : (common ?? h.mount);
    if (h.version === 2 && needsController) {
      const enabled = readCgroupFile(h.mount, 'cgroup.subtree_control').split(/\s+/);
      const missing = controllers.filter((c) => c !== 'freezer' && !enabled.includes(c));
      if (missing.length) throw new TargetError(`${fault}: the root cgroup does not enable ${missing.join(', ')} for its children (${h.mount}/cgroup.subtree_control: "${enabled.join(' ')}"); faultline does not change that`);
    }
    const settings = controllers.flatMap((c) => cgroupSettings(h.version, c, wants, V1_PERIOD_US, true));
    const firstMain = members.findIndex((m) => target.processes.some((p) => p.pid === m.pid));
    return {
      version: h.version,
      mount: h.mount,
      controllers,
      mode: 'move',
      dir: join(parent, `faultline-${id}`),
      settings,
      previous: [],
      origins: members.map((m, i) => ({ pid: m.pid, startTicks: m.startTicks, dir: dirs[i]! })),
      fallback: dirs[Math.max(0, firstMain)]!,
      ...(h.version === 1 && h.controllers.includes('cpuset') ? { copyCpuset: true } : {}),
      ...(oomBase ? { oomBefore: 0 } : {}),
    };
  });
}

function currentPeriod(dir: string, version: 1 | 2): number {
  if (version === 2) return Number(readCgroupFile(dir, 'cpu.max').split(/\s+/)[1] ?? V1_PERIOD_US) || V1_PERIOD_US;
  return Number(readCgroupFile(dir, 'cpu.cfs_period_us')) || V1_PERIOD_US;
}

export interface Applied {
  moved: number;
  frozen?: boolean;
}

export async function applyCgroupPlan(plan: CgroupPlan, signal?: AbortSignal): Promise<Applied> {
  const freeze = plan.settings.filter((s) => FREEZE_FILES.has(s.file));
  const limits = plan.settings.filter((s) => !FREEZE_FILES.has(s.file));
  let moved = 0;
  if (plan.mode === 'in-place') {
    if (cgroupInode(plan.dir) !== plan.inode) throw new HostCommandError(`write ${plan.dir}`, null, `the cgroup ${plan.dir} is gone or was re-created since the fault was planned`);
    for (const s of plan.settings) writeCgroupFile(plan.dir, s.file, s.value);
  } else {
    try {
      makeCgroup(plan.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new HostCommandError(`mkdir ${plan.dir}`, null, (err as Error).message);
    }
    if (plan.copyCpuset) {
      const parent = join(plan.dir, '..');
      for (const f of ['cpuset.cpus', 'cpuset.mems']) writeCgroupFile(plan.dir, f, readCgroupFile(parent, f));
    }
    for (const s of limits) writeCgroupFile(plan.dir, s.file, s.value);
    for (const o of plan.origins) if (sameProcess(o.pid, o.startTicks) && moveProcess(plan.dir, o.pid)) moved++;
    for (const s of freeze) writeCgroupFile(plan.dir, s.file, s.value);
  }
  if (freeze.length === 0) return { moved };
  return { moved, frozen: await waitFrozen(plan, signal) };
}

/** Freezing takes a moment (a task in uninterruptible sleep holds it up): wait up to 3 s for it. */
async function waitFrozen(plan: CgroupPlan, signal?: AbortSignal): Promise<boolean> {
  const deadline = performance.now() + 3000;
  for (;;) {
    const frozen = plan.version === 2 ? /^frozen 1$/m.test(readCgroupFile(plan.dir, 'cgroup.events')) : readCgroupFile(plan.dir, 'freezer.state') === 'FROZEN';
    if (frozen || performance.now() > deadline || signal?.aborted) return frozen;
    await sleep(20);
  }
}

export interface Reverted {
  /** Processes moved back to their cgroups (move), or files restored (in-place). */
  restored: number;
  oomKills?: number;
}

/** Undo from the plan alone. Idempotent: a missing cgroup of ours, or a re-created target cgroup, means nothing to do. */
export async function revertCgroupPlan(plan: CgroupPlan): Promise<Reverted> {
  const ooms = (dir: string) => (plan.oomBefore !== undefined ? Math.max(0, (oomKills(dir, plan.version) ?? plan.oomBefore) - plan.oomBefore) : undefined);
  if (plan.mode === 'in-place') {
    if (cgroupInode(plan.dir) !== plan.inode) return { restored: 0 };
    const killed = ooms(plan.dir);
    // Thaw first, and restore in reverse order of writing.
    for (const s of [...plan.previous].reverse()) writeCgroupFile(plan.dir, s.file, s.value);
    return { restored: plan.previous.length, ...(killed !== undefined ? { oomKills: killed } : {}) };
  }
  if (cgroupInode(plan.dir) === undefined) return { restored: 0 };
  const killed = ooms(plan.dir);
  if (plan.settings.some((s) => s.file === 'freezer.state')) writeCgroupFile(plan.dir, 'freezer.state', 'THAWED');
  if (plan.settings.some((s) => s.file === 'cgroup.freeze')) writeCgroupFile(plan.dir, 'cgroup.freeze', '0');
  // Lift our CPU quota before moving anyone out. A task moved while its group was throttled (its
  // quota used up for the period) was seen to get no CPU for up to ~1 s after the revert (Linux
  // 6.18, cgroup v1: 0.05 s used in the second after, 2 runs of 5); an unlimited group is never
  // throttled, and lifting the quota unthrottles it at once.
  if (plan.settings.some((s) => s.file === 'cpu.cfs_quota_us')) writeCgroupFile(plan.dir, 'cpu.cfs_quota_us', '-1');
  if (plan.settings.some((s) => s.file === 'cpu.max')) writeCgroupFile(plan.dir, 'cpu.max', 'max');
  let restored = 0;
  // Processes may fork while we move them: go round until the cgroup is empty.
  for (let round = 0; round < 20; round++) {
    const pids = cgroupProcs(plan.dir);
    if (pids.length === 0) break;
    for (const pid of pids) {
      const origin = plan.origins.find((o) => o.pid === pid && sameProcess(o.pid, o.startTicks));
      const home = [origin?.dir, plan.fallback, join(plan.dir, '..')].find((d): d is string => d !== undefined && cgroupInode(d) !== undefined)!;
      if (moveProcess(home, pid)) restored++;
    }
  }
  await removeCgroup(plan.dir);
  return { restored, ...(killed !== undefined ? { oomKills: killed } : {}) };
}
