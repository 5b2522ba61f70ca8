/**
 * Walks over a system's dependency graph for `faultline graph`: the tree from the entry points
 * down, the cycles, and what a planned fault may reach (the transitive dependents, each with the
 * dependsOn path that leads to the fault). Pure functions on the journal's SystemGraph.
 */
import type { SystemGraph } from '../journal/types.js';
import { dependencyPath } from './system-graph.js';

export interface TreeNode {
  service: string;
  critical: boolean;
  /** Its dependencies; empty when the node is a marker (seeAbove, cycle, missing). */
  children: TreeNode[];
  /** Already drawn with its dependencies earlier in the tree. */
  seeAbove?: true;
  /** Depends back on a service on its own path: the cycle closes here. */
  cycle?: true;
  /** Named in dependsOn but not defined in the system file. */
  missing?: true;
}

export interface Affected {
  service: string;
  critical: boolean;
  /** dependsOn hops to the nearest faulted service. */
  distance: number;
  /** From the affected service to the faulted one, e.g. [gateway, cart, store]. */
  path: string[];
}

/** Services no other service depends on, in the file's order. */
export function entryPoints(graph: SystemGraph): string[] {
  const depended = new Set(Object.values(graph.services).flatMap((s) => s.dependsOn));
  return Object.keys(graph.services).filter((name) => !depended.has(name));
}

/**
 * The dependency tree: entry points at the top, each service's dependencies below it. A service
 * is expanded once; later appearances are `seeAbove`. Services only reachable through a cycle
 * (no entry point above them) become roots too, so every service appears.
 */
export function dependencyTree(graph: SystemGraph): TreeNode[] {
  const drawn = new Set<string>();
  const node = (service: string, path: ReadonlySet<string>): TreeNode => {
    const svc = graph.services[service];
    if (!svc) return { service, critical: false, children: [], missing: true };
    const base = { service, critical: svc.critical };
    if (path.has(service)) return { ...base, children: [], cycle: true };
    if (drawn.has(service)) return { ...base, children: [], seeAbove: true };
    drawn.add(service);
    const below = new Set(path).add(service);
    return { ...base, children: svc.dependsOn.map((dep) => node(dep, below)) };
  };
  const roots = entryPoints(graph).map((name) => node(name, new Set()));
  for (const name of Object.keys(graph.services)) if (!drawn.has(name)) roots.push(node(name, new Set()));
  return roots;
}

/** Every dependency cycle, one per strongly connected component, e.g. [a, b, c, a]; a self-dependency is [a, a]. */
export function findCycles(graph: SystemGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  const deps = (name: string): string[] => (graph.services[name]?.dependsOn ?? []).filter((d) => graph.services[d]);
  const strongConnect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of deps(v)) {
      if (!index.has(w)) {
        strongConnect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      components.push(component);
    }
  };
  for (const name of Object.keys(graph.services)) if (!index.has(name)) strongConnect(name);

  const order = Object.keys(graph.services);
  const cycles: string[][] = [];
  for (const component of components) {
    const members = new Set(component);
    const start = order.find((n) => members.has(n))!;
    if (component.length === 1 && !deps(start).includes(start)) continue;
    cycles.push(cycleThrough(start, members, deps));
  }
  return cycles.sort((a, b) => order.indexOf(a[0]!) - order.indexOf(b[0]!));
}

/** A shortest path from `start` back to itself inside one strongly connected component. */
function cycleThrough(start: string, members: ReadonlySet<string>, deps: (name: string) => string[]): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const dep of deps(current)) {
      if (!members.has(dep)) continue;
      if (dep === start) {
        const path = [start];
        for (let at: string | undefined = current; at !== undefined && at !== start; at = previous.get(at)) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(dep)) {
        previous.set(dep, current);
        queue.push(dep);
      }
    }
  }
  return [start, start];
}

/**
 * The services a fault on `faulted` may affect: every service that depends on one of them,
 * directly or through others (reverse dependsOn), with its shortest path, nearest first.
 */
export function impactOf(graph: SystemGraph, faulted: Iterable<string>): Affected[] {
  const sources = new Set(faulted);
  const order = Object.keys(graph.services);
  const affected: Affected[] = [];
  for (const service of order) {
    if (sources.has(service)) continue;
    const path = dependencyPath(graph, service, sources);
    if (path) affected.push({ service, critical: graph.services[service]!.critical, distance: path.length - 1, path });
  }
  return affected.sort((a, b) => a.distance - b.distance || order.indexOf(a.service) - order.indexOf(b.service));
}

/** Services that depend directly on `service`. */
export function directDependents(graph: SystemGraph, service: string): string[] {
  return Object.entries(graph.services)
    .filter(([, s]) => s.dependsOn.includes(service))
    .map(([name]) => name);
}
