import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { dependencyTree, directDependents, entryPoints, findCycles, impactOf, type Affected, type TreeNode } from '../../analysis/impact.js';
import { systemGraph } from '../../analysis/system-graph.js';
import { UsageError, ValidationError, formatIssue, type ValidationIssue } from '../../errors/index.js';
import { splitTarget } from '../../experiment/loader/check-references.js';
import { loadExperiment } from '../../experiment/loader/load-experiment.js';
import { unknownService } from '../../experiment/loader/load-system.js';
import { readStructured, type StructuredDocument } from '../../experiment/loader/read-document.js';
import { fromZod, issueAt } from '../../experiment/loader/zod-issues.js';
import { systemSchema, type SystemFile } from '../../experiment/schema/system.js';
import type { Step, TargetRef } from '../../experiment/schema/experiment.js';
import type { SystemGraph } from '../../journal/types.js';
import { kinds, printJson } from '../context.js';

interface GraphOptions {
  system?: string;
  fault?: string[];
  experiment?: string;
  json?: boolean;
}

interface PlannedFault {
  service: string;
  /** The step's target as written (api, api.db). */
  target: string;
  /** The fault kind, for faults from an experiment. */
  fault?: string;
  from: 'fault' | 'experiment';
  /** One of a random choice (`target: { random: [...] }`): it may or may not be the one hit. */
  random?: true;
}

const TARGET_KEYS = ['process', 'pid', 'pidFile', 'match', 'endpoint', 'container', 'compose', 'swarm'] as const;

export function registerGraph(program: Command, setExit: (code: number) => void): void {
  program
    .command('graph')
    .description('Print the dependency tree of a system file and, for a planned fault, the services that may be affected')
    .option('-s, --system <file>', 'system file (default: ./faultline.yaml, or the experiment\'s own with --experiment)')
    .option('--fault <services>', 'services to fault, comma-separated (repeatable): list what depends on them', (v: string, prev: string[] = []) => [...prev, v])
    .option('-e, --experiment <file>', 'plan the faults of this experiment: every target of its method')
    .option('--json', 'print the graph and the impact as JSON')
    .addHelpText(
      'after',
      `
Examples:
  faultline graph                                   the tree of ./faultline.yaml
  faultline graph --system shop.yaml --fault db     what may break when db fails
  faultline graph --fault cache,db                  two faults at once
  faultline graph --experiment experiments/cache-outage.yaml
  faultline graph --json | jq '.impact.affected[].service'

Entry points (services nothing depends on) are at the top; a service drawn before is marked
"(see above)"; [critical] marks critical services. The impact lists every service that depends on
a faulted one, directly or not, with the path, e.g. "gateway ← cart ← store". No Docker or
running system is needed. Exit 2 when the system file is invalid (a dependency cycle or an
unknown service in dependsOn is drawn, listed, and exits 2 too).`,
    )
    .action(async (opts: GraphOptions) => {
      const planned: PlannedFault[] = [];
      let file: string;
      let system: SystemFile;
      const problems: ValidationIssue[] = [];
      if (opts.experiment) {
        const loaded = await loadExperiment(opts.experiment, { ...(opts.system ? { systemFile: opts.system } : {}), kinds });
        system = loaded.system.system;
        file = shortPath(loaded.system.absPath);
        for (const step of faultSteps(loaded.experiment.method)) {
          const random = typeof step.target === 'object' && !Array.isArray(step.target);
          for (const target of targetsOf(step.target)) {
            planned.push({ service: splitTarget(target)[0], target, fault: step.fault, from: 'experiment', ...(random ? { random: true as const } : {}) });
          }
        }
      } else {
        file = opts.system ?? 'faultline.yaml';
        if (!opts.system && !existsSync(resolve(file))) {
          throw new UsageError(`no system file: ./faultline.yaml does not exist here (${process.cwd()}); name one with --system FILE (or write one: faultline init --compose docker-compose.yml)`);
        }
        const doc = await readStructured(file);
        system = parseSystem(doc);
        problems.push(...referenceProblems(doc, system));
      }
      const names = Object.keys(system.services);
      for (const target of (opts.fault ?? []).flatMap((f) => f.split(',')).map((f) => f.trim()).filter(Boolean)) {
        const service = splitTarget(target)[0];
        if (!Object.hasOwn(system.services, service)) throw new UsageError(`--fault: ${unknownService(service, names)}`);
        planned.push({ service, target, from: 'fault' });
      }

      const graph = systemGraph(system.services);
      const tree = dependencyTree(graph);
      const cycles = findCycles(graph);
      const faulted = [...new Set(planned.map((p) => p.service))];
      const affected = planned.length > 0 ? impactOf(graph, faulted) : undefined;

      if (opts.json) {
        printJson({
          system: file,
          services: Object.fromEntries(
            Object.entries(system.services).map(([name, svc]) => [
              name,
              { target: TARGET_KEYS.find((k) => svc[k] !== undefined) ?? null, dependsOn: svc.dependsOn, critical: svc.critical, dependents: directDependents(graph, name) },
            ]),
          ),
          entryPoints: entryPoints(graph),
          tree,
          cycles,
          problems,
          ...(affected ? { impact: { faults: planned, faulted, affected } } : {}),
        });
      } else {
        process.stdout.write(`${file}: ${names.length} service${names.length === 1 ? '' : 's'}, ${describeRoots(graph)}\n\n`);
        process.stdout.write(renderTree(tree));
        if (cycles.length > 0) {
          process.stdout.write(`\n${cycles.length} dependency cycle${cycles.length === 1 ? '' : 's'} (a service cannot start before itself; \`faultline validate\` rejects this file):\n`);
          for (const c of cycles) process.stdout.write(`  ${c.join(' → ')}\n`);
        }
        if (affected) process.stdout.write(`\n${renderImpact(planned, faulted, affected, graph)}`);
      }
      if (!opts.json) for (const p of problems) process.stderr.write(`error ${formatIssue(p)}\n`);
      setExit(problems.length > 0 ? 2 : 0);
    });
}

/** The system file through the schema only: references and cycles are drawn and reported, not refused. */
function parseSystem(doc: StructuredDocument): SystemFile {
  const parsed = systemSchema.safeParse(doc.data);
  if (!parsed.success) throw new ValidationError(fromZod(doc, parsed.error));
  return parsed.data;
}

function referenceProblems(doc: StructuredDocument, system: SystemFile): ValidationIssue[] {
  const names = Object.keys(system.services);
  const issues: ValidationIssue[] = [];
  for (const [name, svc] of Object.entries(system.services)) {
    svc.dependsOn.forEach((dep, i) => {
      if (!Object.hasOwn(system.services, dep)) issues.push(issueAt(doc, ['services', name, 'dependsOn', i], unknownService(dep, names)));
    });
  }
  for (const cycle of findCycles(systemGraph(system.services))) {
    issues.push(issueAt(doc, ['services', cycle[0]!, 'dependsOn'], `dependsOn forms a cycle: ${cycle.join(' -> ')}`));
  }
  return issues;
}

function faultSteps(steps: Step[]): Extract<Step, { type: 'fault' }>[] {
  return steps.flatMap((s) => (s.type === 'fault' ? [s] : s.type === 'wait' ? [] : faultSteps(s.steps)));
}

function targetsOf(target: TargetRef): string[] {
  if (typeof target === 'string') return [target];
  return Array.isArray(target) ? target : target.random;
}

/** The path relative to the working directory when it is below it, else absolute. */
function shortPath(absPath: string): string {
  const rel = relative(process.cwd(), absPath);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absPath;
}

function describeRoots(graph: SystemGraph): string {
  const roots = entryPoints(graph);
  if (roots.length === 0) return 'no entry point (every service is depended on: see the cycles below)';
  return `entry point${roots.length === 1 ? '' : 's'}: ${roots.join(', ')}`;
}

function label(node: TreeNode): string {
  const marks = [node.critical ? '[critical]' : '', node.seeAbove ? '(see above)' : '', node.cycle ? '(cycle)' : '', node.missing ? '(not defined in the system file)' : ''];
  return [node.service, ...marks.filter(Boolean)].join(' ');
}

export function renderTree(roots: TreeNode[]): string {
  let out = '';
  const walk = (node: TreeNode, prefix: string, last: boolean): void => {
    out += `${prefix}${last ? '└── ' : '├── '}${label(node)}\n`;
    const below = prefix + (last ? '    ' : '│   ');
    node.children.forEach((child, i) => walk(child, below, i === node.children.length - 1));
  };
  for (const root of roots) {
    out += `${label(root)}\n`;
    root.children.forEach((child, i) => walk(child, '', i === root.children.length - 1));
  }
  return out;
}

function renderImpact(planned: PlannedFault[], faulted: string[], affected: Affected[], graph: SystemGraph): string {
  const what = planned.map((p) => (p.fault ? `${p.fault} on ${p.target}${p.random ? ' (if picked at random)' : ''}` : p.target));
  let out = `Planned fault${planned.length === 1 ? '' : 's'}: ${[...new Set(what)].join(', ')}\n`;
  const faultedCritical = faulted.filter((s) => graph.services[s]?.critical);
  if (faultedCritical.length > 0) out += `  faulted critical service${faultedCritical.length === 1 ? '' : 's'}: ${faultedCritical.join(', ')}\n`;
  if (affected.length === 0) {
    out += `Nothing depends on ${faulted.join(', ')}: no other service should be affected.\n`;
    return out;
  }
  out += `May be affected (${affected.length}), nearest first:\n`;
  const names = affected.map((a) => `${a.service}${a.critical ? ' [critical]' : ''}`);
  const width = Math.max(...names.map((n) => n.length));
  affected.forEach((a, i) => (out += `  ${names[i]!.padEnd(width)}  ${a.path.join(' ← ')}\n`));
  const critical = affected.filter((a) => a.critical).map((a) => a.service);
  if (critical.length > 0) out += `Critical services that may be affected: ${critical.join(', ')}\n`;
  return out;
}
