/**
 * The system's dependency graph as the journal records it (`journal.system`), and walks over it.
 * The runner fills `journal.system` with systemGraph(loaded.system.system.services).
 */
import type { SystemGraph } from '../journal/types.js';

/** The part of a system file's service this needs (the validated system file has both fields). */
export interface GraphInput {
  dependsOn?: readonly string[];
  critical?: boolean;
}

/** The graph of a system file's services, in the journal's shape (plain JSON). */
export function systemGraph(services: Record<string, GraphInput>): SystemGraph {
  const out: SystemGraph['services'] = {};
  for (const [name, svc] of Object.entries(services)) out[name] = { dependsOn: [...(svc.dependsOn ?? [])], critical: svc.critical ?? false };
  return { services: out };
}

/**
 * The shortest dependsOn path from `service` to any service in `sources`, e.g. [gateway, cart, store],
 * or undefined when none is reachable. A service in `sources` itself gives [service].
 */
export function dependencyPath(graph: SystemGraph, service: string, sources: ReadonlySet<string>): string[] | undefined {
  if (sources.has(service)) return [service];
  const previous = new Map<string, string>([[service, '']]);
  const queue = [service];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const dep of graph.services[current]?.dependsOn ?? []) {
      if (previous.has(dep)) continue;
      previous.set(dep, current);
      if (sources.has(dep)) {
        const path = [dep];
        for (let at = current; at !== ''; at = previous.get(at)!) path.unshift(at);
        return path;
      }
      queue.push(dep);
    }
  }
  return undefined;
}

/** Services that depend on `service`, directly or through others. */
export function dependents(graph: SystemGraph, service: string): string[] {
  return Object.keys(graph.services).filter((name) => name !== service && dependencyPath(graph, name, new Set([service])) !== undefined);
}
