/**
 * CPU stress and memory pressure: workers (built-in node programs, or stress-ng when installed)
 * started in the target's cgroups, so they compete with it inside its own CPU quota and memory
 * limit, as a noisy neighbour in its container would. Every worker carries FAULTLINE_STRESS=<token>
 * in its environment, inherited by anything it forks: revert, from the ledger alone, kills every
 * process that carries the token.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { HostCommandError } from '../errors.js';
import { which } from '../host.js';
import { checkRequirements, type Requirement } from '../preflight.js';
import { parseInfo, PlanMemo, shortId } from '../planned.js';
import type { LinuxFaultKind } from '../net/filter-fault.js';
import { cgroupDirOf, cgroupProblem, hierarchyFor, hostHierarchies } from '../cgroup/hierarchy.js';
import { oomKills } from '../cgroup/files.js';
import { stopOomWatch, watchOom, type OomReport } from '../cgroup/oom-watch.js';
import { formatSize } from '../units.js';
import { sameProcess } from '../../../util/proc.js';
import type { LinuxTarget } from '../target.js';
import { CGROUP_WRAPPER, CPU_WORKER, MEMORY_WORKER } from './workers.js';
import { withDescendants } from '../process-tree.js';

export interface StressSpec {
  cpuWorkers?: number;
  /** Percent of each CPU worker's time spent busy. */
  load: number;
  memoryBytes?: number;
  memoryWorkers: number;
}

export const engineParam = z.enum(['auto', 'builtin', 'stress-ng']).default('auto').describe('auto (stress-ng when installed, else built-in workers), builtin or stress-ng');
export const placementParam = z
  .enum(['target', 'host'])
  .default('target')
  .describe("target (default): workers join the target's cgroups and share its CPU quota and memory limit; host: they run beside it");

export interface StressParams {
  engine: 'auto' | 'builtin' | 'stress-ng';
  placement: 'target' | 'host';
}

const infoSchema = z.object({
  token: z.string().regex(/^fl-[0-9a-f]{8}$/),
  engine: z.enum(['builtin', 'stress-ng']),
  cgroups: z.array(z.string()),
  memory: z.object({ dir: z.string(), version: z.union([z.literal(1), z.literal(2)]), oomBefore: z.number() }).optional(),
});
type Info = z.output<typeof infoSchema>;

const ENV_KEY = 'FAULTLINE_STRESS';

/** Live workers of this process, by token: their stdin keeps them alive until revert or our exit. */
const running = new Map<string, ChildProcess[]>();

export function stressRequirements(spec: StressSpec, params: StressParams): Requirement[] {
  const reqs: Requirement[] = [];
  if (params.engine === 'stress-ng') reqs.push({ kind: 'tool', anyOf: ['stress-ng'], install: 'apt-get install stress-ng' });
  if (params.placement === 'target') {
    if (spec.cpuWorkers) reqs.push({ kind: 'check', problem: () => cgroupProblem('cpu') });
    if (spec.memoryBytes) reqs.push({ kind: 'check', problem: () => cgroupProblem('memory') });
  }
  return reqs;
}

function planStress(name: string, target: LinuxTarget, spec: StressSpec, params: StressParams): Info {
  checkRequirements(name, stressRequirements(spec, params));
  const engine = params.engine === 'auto' ? (which('stress-ng') ? 'stress-ng' : 'builtin') : params.engine;
  const anchor = params.placement === 'target' ? target.processes.find((p) => sameProcess(p.pid, p.startTicks)) : undefined;
  const cgroups = new Set<string>();
  let memory: Info['memory'];
  if (anchor) {
    for (const c of ['cpu', 'memory'] as const) {
      const h = hierarchyFor(c, hostHierarchies());
      const dir = h && cgroupDirOf(anchor.pid, h);
      if (!h || !dir) continue;
      cgroups.add(join(dir, 'cgroup.procs'));
      if (c === 'memory' && spec.memoryBytes) memory = { dir, version: h.version, oomBefore: oomKills(dir, h.version) ?? 0 };
    }
  }
  return { token: `fl-${shortId()}`, engine, cgroups: [...cgroups], ...(memory ? { memory } : {}) };
}

/** The commands to start: one per built-in worker, or one stress-ng for all. */
export function workerCommands(engine: 'builtin' | 'stress-ng', spec: StressSpec, node = process.execPath): { cmd: string; args: string[]; env: Record<string, string>; ready: boolean }[] {
  if (engine === 'stress-ng') {
    const args: string[] = [];
    if (spec.cpuWorkers) args.push('--cpu', String(spec.cpuWorkers), '--cpu-load', String(spec.load));
    if (spec.memoryBytes) args.push('--vm', String(spec.memoryWorkers), '--vm-bytes', `${Math.floor(spec.memoryBytes / spec.memoryWorkers / 1024)}k`, '--vm-keep');
    return [{ cmd: which('stress-ng') ?? 'stress-ng', args: [...args, '--timeout', '0', '--quiet'], env: {}, ready: false }];
  }
  const out: ReturnType<typeof workerCommands> = [];
  for (let i = 0; i < (spec.cpuWorkers ?? 0); i++) out.push({ cmd: node, args: ['-e', CPU_WORKER], env: { FL_LOAD: String(spec.load) }, ready: true });
  if (spec.memoryBytes) {
    const each = Math.ceil(spec.memoryBytes / spec.memoryWorkers);
    for (let i = 0; i < spec.memoryWorkers; i++) out.push({ cmd: node, args: ['-e', MEMORY_WORKER], env: { FL_BYTES: String(each) }, ready: true });
  }
  return out;
}

export function stressFault<P extends StressParams>(name: string, summary: string, params: z.ZodType<P>, toSpec: (p: P) => StressSpec): LinuxFaultKind<P> {
  const memo = new PlanMemo<Info>();
  return {
    name,
    driver: 'linux',
    summary,
    timing: 'held',
    revertSummary: `kill every process carrying ${ENV_KEY}=<this fault's token> in its environment (the workers and anything they forked)`,
    params,
    requirements: (p) => stressRequirements(toSpec(p), p),
    plan: (target, p) => memo.remember(target, planStress(name, target, toSpec(p), p)),
    async inject(target, p, ctx) {
      const info = memo.recall(target, () => planStress(name, target, toSpec(p), p));
      const spec = toSpec(p);
      const children: ChildProcess[] = [];
      running.set(info.token, children);
      await Promise.all(
        workerCommands(info.engine, spec).map(async (w) => {
          const child = spawn('/bin/sh', ['-c', CGROUP_WRAPPER, 'faultline-stress', w.cmd, ...w.args], {
            env: { ...process.env, ...w.env, [ENV_KEY]: info.token, FL_CGROUP_PROCS: info.cgroups.join('\n') },
            stdio: ['pipe', 'pipe', 'pipe'],
          });
          children.push(child);
          await started(child, w.ready, ctx.signal);
        }),
      );
      const details: { [key: string]: string | number | number[] | string[] } = {
        engine: info.engine,
        token: info.token,
        workers: children.map((c) => c.pid!).filter(Boolean),
        cgroups: info.cgroups.map((f) => f.replace(/\/cgroup\.procs$/, '')),
      };
      if (info.memory) {
        const report: OomReport = { oomKills: 0, oomKilledPids: [] };
        Object.assign(details, report);
        watchOom(info.token, info.memory.dir, info.memory.version, info.memory.oomBefore, target.processes, target.label, ctx.log, details as unknown as OomReport);
      }
      ctx.log(`${name} on ${target.label}: ${describe(spec)} with ${info.engine} (${children.length} process${children.length > 1 ? 'es' : ''}${info.cgroups.length ? ', in its cgroups' : ''})`);
      return { details };
    },
    async revert(raw, ctx) {
      const info = parseInfo(infoSchema, raw, name);
      stopOomWatch(info.token);
      const killed = await killByToken(info.token);
      running.delete(info.token);
      if (info.memory) {
        const ooms = (oomKills(info.memory.dir, info.memory.version) ?? info.memory.oomBefore) - info.memory.oomBefore;
        if (ooms > 0) ctx.log(`${name}: the kernel OOM-killed ${ooms} process(es) in ${info.memory.dir} under the memory pressure`);
      }
      if (killed.left.length) throw new Error(`${name}: stress processes ${killed.left.join(', ')} (${ENV_KEY}=${info.token}) would not die`);
    },
  };
}

export function describe(spec: StressSpec): string {
  const parts: string[] = [];
  if (spec.cpuWorkers) parts.push(`${spec.cpuWorkers} CPU worker${spec.cpuWorkers > 1 ? 's' : ''} at ${spec.load}%`);
  if (spec.memoryBytes) parts.push(`${formatSize(spec.memoryBytes)} of memory in ${spec.memoryWorkers} worker${spec.memoryWorkers > 1 ? 's' : ''}`);
  return parts.join(' and ');
}

/** Resolves once the worker runs (built-in: it said "ready"); rejects if it exits first. */
function started(child: ChildProcess, waitReady: boolean, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    let out = '';
    const done = (err?: Error) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      child.removeListener('exit', onExit);
      // From here on the worker must not keep faultline running; its stdin stays open until revert or exit.
      child.unref();
      for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();
      if (err) reject(err);
      else resolve();
    };
    const onExit = (code: number | null, sig: NodeJS.Signals | null) =>
      done(new HostCommandError('stress worker', code, code === 97 ? 'could not join the target\'s cgroup (cgroup.procs write refused)' : stderr || `exited (${sig ?? code}) before it was running`));
    const onAbort = () => done(new Error('aborted while starting stress workers'));
    const timer = setTimeout(() => (waitReady ? done(new HostCommandError('stress worker', null, `not ready after 60 s: ${stderr}`)) : done()), waitReady ? 60_000 : 500);
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (waitReady && out.includes('ready\n')) done();
    });
    child.stdin!.on('error', () => undefined);
    child.once('exit', onExit);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Every live process whose environment carries our token. */
export function processesWithToken(token: string): number[] {
  const needle = `\0${ENV_KEY}=${token}\0`;
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (`\0${readFileSync(`/proc/${name}/environ`, 'latin1')}`.includes(needle)) found.push(Number(name));
    } catch {
      /* gone, or a kernel thread */
    }
  }
  return found;
}

/**
 * Kills the token's processes and everything they forked. stress-ng's stressors retitle
 * themselves over their environment, so they are found as children of the stress-ng that still
 * carries the token (and die with it anyway: they ask for SIGKILL when their parent dies).
 */
async function killByToken(token: string): Promise<{ left: number[] }> {
  const deadline = performance.now() + 5000;
  for (;;) {
    const pids = withDescendants(processesWithToken(token), new Set([process.pid])).filter((pid) => processAlive(pid));
    if (pids.length === 0) return { left: [] };
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    if (performance.now() > deadline) return { left: pids };
    await sleep(50);
  }
}

function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
