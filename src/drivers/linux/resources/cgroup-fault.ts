/**
 * The cgroup-backed faults (cpu-limit, memory-limit, resource-limit, freeze) share one shape:
 * plan the cgroups (see cgroup/plan.ts), apply, watch for OOM kills, revert exactly.
 */
import { z } from 'zod';
import { shortId, parseInfo, PlanMemo } from '../planned.js';
import { checkRequirements, type Requirement } from '../preflight.js';
import type { LinuxFaultKind } from '../net/filter-fault.js';
import { applyCgroupPlan, cgroupPlanSchema, planCgroups, revertCgroupPlan, type CgroupPlan, type Mode, type Wants } from '../cgroup/plan.js';
import { cgroupProblem, type Controller } from '../cgroup/hierarchy.js';
import { stopOomWatch, watchOom, type OomReport } from '../cgroup/oom-watch.js';
import type { LinuxTarget } from '../target.js';

const infoSchema = z.object({ cgroups: z.array(cgroupPlanSchema) });
type Info = { cgroups: CgroupPlan[] };

export interface CgroupFaultSpec<P extends { mode: Mode }> {
  name: string;
  summary: string;
  revertSummary: string;
  params: z.ZodType<P>;
  wants(params: P): Wants;
  describe(params: P): string;
}

export function cgroupRequirements(wants: Wants): Requirement[] {
  const controllers: Controller[] = [...(wants.cpus !== undefined ? ['cpu' as const] : []), ...(wants.memoryBytes !== undefined ? ['memory' as const] : []), ...(wants.freeze ? ['freezer' as const] : [])];
  return controllers.map((c): Requirement => ({ kind: 'check', problem: () => cgroupProblem(c) }));
}

export function cgroupFault<P extends { mode: Mode }>(spec: CgroupFaultSpec<P>): LinuxFaultKind<P> {
  const memo = new PlanMemo<Info>();
  const plan = (target: LinuxTarget, params: P): Info => {
    checkRequirements(spec.name, cgroupRequirements(spec.wants(params)));
    return { cgroups: planCgroups(spec.name, target, spec.wants(params), params.mode, shortId()) };
  };
  return {
    name: spec.name,
    driver: 'linux',
    summary: spec.summary,
    timing: 'held',
    revertSummary: spec.revertSummary,
    params: spec.params,
    requirements: (params) => cgroupRequirements(spec.wants(params)),
    plan: (target, params) => memo.remember(target, plan(target, params)),
    async inject(target, params, ctx) {
      const info = memo.recall(target, () => plan(target, params));
      const details: { [key: string]: string | number | boolean | string[] | number[] } = { cgroups: info.cgroups.map((c) => `${c.dir} (v${c.version}, ${c.mode})`) };
      for (const c of info.cgroups) {
        const applied = await applyCgroupPlan(c, ctx.signal);
        if (applied.frozen !== undefined) details.frozen = applied.frozen;
        if (c.mode === 'move') details.moved = ((details.moved as number | undefined) ?? 0) + applied.moved;
        if (c.oomBefore !== undefined) {
          // Filled in as kills happen: the journal's fault record holds this same object.
          const report: OomReport = { oomKills: 0, oomKilledPids: [] };
          Object.assign(details, report);
          watchOom(c.dir, c.dir, c.version, c.oomBefore, c.origins.length ? c.origins : target.processes, target.label, ctx.log, details as unknown as OomReport);
        }
      }
      ctx.log(`${spec.name} on ${target.label}: ${spec.describe(params)} (${info.cgroups.map((c) => `${c.mode} ${c.dir}: ${c.settings.map((s) => `${s.file}=${s.value}`).join(', ')}`).join('; ')})`);
      return { details };
    },
    async revert(raw, ctx) {
      const info = parseInfo(infoSchema, raw, spec.name);
      const errors: string[] = [];
      for (const c of info.cgroups) {
        stopOomWatch(c.dir);
        try {
          const done = await revertCgroupPlan(c);
          if (done.oomKills) ctx.log(`${spec.name}: the kernel OOM-killed ${done.oomKills} process(es) in ${c.dir} while the limit held`);
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
      if (errors.length) throw new Error(`${spec.name}: ${errors.join('; ')}`);
    },
  };
}
