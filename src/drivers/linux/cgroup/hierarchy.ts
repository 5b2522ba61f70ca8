/**
 * Where cgroups live on this host: v1 hierarchies (one mount per controller or group of
 * controllers), a v2 unified hierarchy, or both (hybrid). Each controller is bound to exactly one
 * of them, so "which version" is asked per controller.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Controller = 'cpu' | 'memory' | 'freezer';

export interface Hierarchy {
  version: 1 | 2;
  mount: string;
  /** The mount's root inside the hierarchy (not `/` inside some containers). */
  root: string;
  /** v1: the controllers bound to it; v2: those listed in its root's cgroup.controllers. */
  controllers: string[];
}

const V1_CONTROLLERS = new Set(['cpu', 'cpuacct', 'cpuset', 'memory', 'freezer', 'blkio', 'io', 'pids', 'devices', 'net_cls', 'net_prio', 'perf_event', 'hugetlb', 'rdma', 'misc']);

function unescapeMount(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** cgroup mounts from /proc/self/mountinfo. v2 controllers are read by `readControllers`. */
export function parseMountinfo(text: string, readControllers: (mount: string) => string[] = readV2Controllers): Hierarchy[] {
  const out: Hierarchy[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash < 0) continue;
    const left = line.slice(0, dash).split(' ');
    const [fstype, , superopts = ''] = line.slice(dash + 3).split(' ');
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    const root = unescapeMount(left[3] ?? '/');
    const mount = unescapeMount(left[4] ?? '');
    if (fstype === 'cgroup2') {
      if (seen.has('v2')) continue;
      seen.add('v2');
      out.push({ version: 2, mount, root, controllers: readControllers(mount) });
    } else {
      const controllers = superopts.split(',').filter((o) => V1_CONTROLLERS.has(o));
      const key = controllers.sort().join(',') || superopts;
      if (seen.has(key)) continue; // the same hierarchy mounted twice
      seen.add(key);
      out.push({ version: 1, mount, root, controllers });
    }
  }
  return out;
}

function readV2Controllers(mount: string): string[] {
  try {
    return readFileSync(join(mount, 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * The hierarchy that controls `controller`. Freezing needs no controller on v2 (cgroup.freeze,
 * Linux 5.2+), so a v1 freezer wins and any v2 hierarchy will do otherwise.
 */
export function hierarchyFor(controller: Controller, hierarchies: readonly Hierarchy[]): Hierarchy | undefined {
  const v1 = hierarchies.find((h) => h.version === 1 && h.controllers.includes(controller));
  if (v1) return v1;
  const v2 = hierarchies.find((h) => h.version === 2);
  if (!v2) return undefined;
  return controller === 'freezer' || v2.controllers.includes(controller) ? v2 : undefined;
}

export interface ProcCgroupEntry {
  id: number;
  controllers: string[];
  path: string;
}

export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const first = line.indexOf(':');
      const second = line.indexOf(':', first + 1);
      return { id: Number(line.slice(0, first)), controllers: line.slice(first + 1, second).split(',').filter(Boolean), path: line.slice(second + 1) };
    });
}

/** The cgroup directory of a process in a hierarchy, from its /proc/PID/cgroup text. */
export function cgroupDirIn(h: Hierarchy, entries: readonly ProcCgroupEntry[]): string | undefined {
  const entry = h.version === 2 ? entries.find((e) => e.id === 0 && e.controllers.length === 0) : entries.find((e) => h.controllers.every((c) => e.controllers.includes(c)) && e.controllers.length > 0);
  if (!entry) return undefined;
  let path = entry.path;
  if (h.root !== '/' && (path === h.root || path.startsWith(`${h.root}/`))) path = path.slice(h.root.length) || '/';
  return path === '/' ? h.mount : join(h.mount, path);
}

let cached: Hierarchy[] | undefined;

export function hostHierarchies(): Hierarchy[] {
  cached ??= parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
  return cached;
}

export function cgroupDirOf(pid: number, h: Hierarchy): string | undefined {
  try {
    return cgroupDirIn(h, parseProcCgroup(readFileSync(`/proc/${pid}/cgroup`, 'utf8')));
  } catch {
    return undefined;
  }
}

/** Why this host cannot change `controller` settings, or undefined when it can. */
export function cgroupProblem(controller: Controller, hierarchies: readonly Hierarchy[] = hostHierarchies()): string | undefined {
  const h = hierarchyFor(controller, hierarchies);
  const what = controller === 'freezer' ? 'freezing (a v1 freezer hierarchy, or cgroup v2)' : `the ${controller} controller (cgroup v1 or v2)`;
  if (!h) {
    const found = hierarchies.map((x) => `v${x.version} ${x.mount}${x.controllers.length ? ` (${x.controllers.join(',')})` : ''}`).join('; ') || 'no cgroup mounts at all';
    return `needs a cgroup hierarchy for ${what}, and this host has none (found: ${found})`;
  }
  try {
    accessSync(h.mount, constants.W_OK);
  } catch {
    return `needs write access to ${h.mount} (cgroup v${h.version}), which this process does not have — run faultline as root; in a container, /sys/fs/cgroup is often read-only`;
  }
  return undefined;
}
