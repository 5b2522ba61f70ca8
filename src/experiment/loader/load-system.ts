/** Loads and checks a system file: schema, then references between services. */
import { dirname } from 'node:path';
import { ValidationError, type ValidationIssue } from '../../errors/index.js';
import { systemSchema, type SystemFile } from '../schema/system.js';
import { closest } from './closest.js';
import { readStructured, type StructuredDocument } from './read-document.js';
import { fromZod, issueAt } from './zod-issues.js';
import { findDependencyCycle } from '../../util/dependency-cycle.js';

export interface LoadedSystem {
  /** As the user named it. */
  file: string;
  absPath: string;
  /** Paths inside the file (cwd, pidFile) are relative to this directory. */
  dir: string;
  system: SystemFile;
}

export async function loadSystem(file: string, cwd = process.cwd()): Promise<LoadedSystem> {
  const doc = await readStructured(file, cwd);
  return checkSystem(doc);
}

export function checkSystem(doc: StructuredDocument): LoadedSystem {
  const parsed = systemSchema.safeParse(doc.data);
  if (!parsed.success) throw new ValidationError(fromZod(doc, parsed.error));
  const system = parsed.data;
  const issues: ValidationIssue[] = [];
  const names = Object.keys(system.services);
  for (const [name, svc] of Object.entries(system.services)) {
    svc.dependsOn.forEach((dep, i) => {
      if (dep === name) issues.push(issueAt(doc, ['services', name, 'dependsOn', i], 'a service cannot depend on itself'));
      else if (!Object.hasOwn(system.services, dep)) issues.push(issueAt(doc, ['services', name, 'dependsOn', i], unknownService(dep, names)));
    });
    const proxyNames = new Set<string>();
    svc.proxies.forEach((p, i) => {
      if (proxyNames.has(p.name)) issues.push(issueAt(doc, ['services', name, 'proxies', i, 'name'], `duplicate proxy name "${p.name}" in service ${name}`));
      proxyNames.add(p.name);
    });
  }
  const cycle = findCycle(system);
  if (cycle) issues.push(issueAt(doc, ['services', cycle[0]!, 'dependsOn'], `dependsOn forms a cycle: ${cycle.join(' -> ')}`));
  if (issues.length > 0) throw new ValidationError(issues);
  return { file: doc.file, absPath: doc.absPath, dir: dirname(doc.absPath), system };
}

export function unknownService(name: string, known: string[]): string {
  const hint = closest(name, known);
  return `unknown service "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; the system file defines: ${known.length ? known.join(', ') : '(no services)'}`;
}

function findCycle(system: SystemFile): string[] | undefined {
  // A dependency on an unknown service is reported on its own; it cannot close a cycle.
  return findDependencyCycle(Object.keys(system.services), (name) => (system.services[name]?.dependsOn ?? []).filter((dep) => Object.hasOwn(system.services, dep)));
}
