/**
 * `faultline export --chaos-mesh`: an experiment's faults as Chaos Mesh resources, for teams that
 * run them natively in the cluster. One fault on one service is that resource; anything more is a
 * Workflow (Serial for a sequence, Parallel for a parallel group, Suspend for a wait, one chaos
 * template per fault with the step's duration as its deadline); `cron` wraps either in a Schedule.
 *
 * Chaos Mesh runs faults only: the hypothesis, load, recovery expectation, rollbacks and
 * guardrails are not exported, and `leftOut` says which of them the experiment had.
 */
import { chaosMeshResource, embedKey, goDuration, type ChaosMeshSelection } from '../drivers/kubernetes/chaos-mesh/index.js';
import { CHAOS_MESH_API_VERSION } from '../drivers/kubernetes/chaos-mesh/resource.js';
import { UsageError, ValidationError } from '../errors/index.js';
import type { Experiment } from '../experiment/schema/experiment.js';
import { planMethod, selectionsOf, type PlanNode } from './workflow-plan.js';

/**
 * A Workflow ends a chaos template only at its deadline, and deleting a PodChaos undoes nothing:
 * single actions get this long for Chaos Mesh's controller to apply them before the next step.
 */
export const INSTANT_DEADLINE_MS = 5000;

export interface ChaosMeshExportOptions {
  /** The pods of a service. A `selector:` target maps directly; a workload's selector is in the cluster. */
  selectionOf(service: string): Promise<ChaosMeshSelection>;
  /** metadata.name of the printed resource (a DNS-1123 name). */
  name: string;
  /** A cron expression (or @every 1h, @daily): wrap it in a Schedule. */
  cron?: string;
  /** metadata.namespace of the printed resource (default: the targets' namespace, when they share one). */
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** The experiment file, for error messages. */
  file?: string;
}

export interface ChaosMeshExport {
  resource: { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: Record<string, unknown> };
  /** What the experiment has that Chaos Mesh does not run, one line each. */
  leftOut: string[];
  /** How the export differs in timing, one line each. */
  notes: string[];
}

export async function exportChaosMesh(experiment: Experiment, options: ChaosMeshExportOptions): Promise<ChaosMeshExport> {
  if (options.cron !== undefined && !isCron(options.cron)) {
    throw new UsageError(`--cron ${JSON.stringify(options.cron)}: expected a cron expression of 5 fields (or 6, with seconds first) such as "0 3 * * *", or @hourly, @daily, @weekly, @every 6h`);
  }
  const root = await planMethod(experiment.method, { file: options.file ?? '<experiment>', selectionOf: options.selectionOf });
  const only = root.type === 'serial' && root.children.length === 1 && root.children[0]!.type === 'chaos' ? root.children[0] : undefined;
  const namespace = options.namespace ?? sharedNamespace(root);
  const metadata = {
    name: options.name,
    namespace,
    labels: { ...options.labels },
    ...(options.annotations ? { annotations: { ...options.annotations } } : {}),
  };
  let resource: ChaosMeshExport['resource'];
  const notes: string[] = [];
  if (only) {
    const chaos = chaosOf(only, options.file, true);
    resource = options.cron === undefined
      ? { ...chaos, metadata: { ...chaos.metadata, ...metadata } }
      : schedule(metadata, options.cron, chaos.kind, { [embedKey(chaos.kind)]: chaos.spec });
  } else {
    const templates = workflowTemplates(root, options.file, notes);
    const workflow = { entry: 'entry', templates };
    resource = options.cron === undefined ? { apiVersion: CHAOS_MESH_API_VERSION, kind: 'Workflow', metadata, spec: workflow } : schedule(metadata, options.cron, 'Workflow', { workflow });
  }
  return { resource, leftOut: leftOut(experiment), notes };
}

function schedule(metadata: Record<string, unknown>, cron: string, type: string, embedded: Record<string, unknown>): ChaosMeshExport['resource'] {
  // Forbid: a run still going when the next is due is not doubled up (faults would stack).
  return { apiVersion: CHAOS_MESH_API_VERSION, kind: 'Schedule', metadata, spec: { schedule: cron, type, concurrencyPolicy: 'Forbid', historyLimit: 5, ...embedded } };
}

function sharedNamespace(root: PlanNode): string {
  const namespaces = [...new Set(selectionsOf(root).map((s) => s.namespace))];
  if (namespaces.length === 1) return namespaces[0]!;
  throw new UsageError(`the targets are in namespaces ${namespaces.join(' and ')}: name the namespace of the exported resource with --namespace (each fault still selects the pods in their own)`);
}

/** One chaos resource, errors from its kind tied to the step. */
function chaosOf(node: Extract<PlanNode, { type: 'chaos' }>, file: string | undefined, withDuration: boolean) {
  const durationMs = withDuration ? node.durationMs : undefined;
  try {
    return chaosMeshResource(node.kind, node.params, node.selection, { name: 'unused', labels: {}, peers: node.peers, ...(durationMs !== undefined ? { durationMs } : {}) });
  } catch (err) {
    throw new ValidationError([{ file: file ?? '<experiment>', path: node.path, message: err instanceof Error ? err.message : String(err) }]);
  }
}

function workflowTemplates(root: PlanNode, file: string | undefined, notes: string[]): Record<string, unknown>[] {
  const templates: Record<string, unknown>[] = [];
  const used = new Set<string>();
  const nameFor = (base: string): string => {
    const slug = base.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, 40).replace(/-$/, '') || 'step';
    let name = slug;
    for (let n = 2; used.has(name); n++) name = `${slug}-${n}`;
    used.add(name);
    return name;
  };
  let instant = false;
  const add = (node: PlanNode, name: string): string => {
    if (node.type === 'chaos') {
      // Inside a Workflow the template's deadline ends the chaos; its webhook refuses a duration there.
      const { spec } = chaosOf(node, file, false);
      if (node.kind.timing === 'instant') instant = true;
      templates.push({ name, templateType: node.kind.crdKind, deadline: goDuration(node.kind.timing === 'held' ? node.durationMs! : INSTANT_DEADLINE_MS), [embedKey(node.kind.crdKind)]: spec });
    } else if (node.type === 'suspend') {
      templates.push({ name, templateType: 'Suspend', deadline: goDuration(node.ms) });
    } else {
      const template: Record<string, unknown> = { name, templateType: node.type === 'serial' ? 'Serial' : 'Parallel', children: [] };
      templates.push(template);
      template.children = node.children.map((child) => add(child, nameFor(child.name ?? defaultName(child))));
    }
    return name;
  };
  add(root, nameFor('entry'));
  if (instant) notes.push(`single actions (pod-kill, pod-delete, container-kill) are chaos templates with a ${goDuration(INSTANT_DEADLINE_MS)} deadline: the pods are hit at its start, and the next step starts when it ends`);
  return templates;
}

function defaultName(node: PlanNode): string {
  if (node.type === 'chaos') return `${node.kind.name}-${node.service}`;
  if (node.type === 'suspend') return `wait-${goDuration(node.ms)}`;
  return node.type === 'serial' ? 'sequence' : 'parallel';
}

function leftOut(e: Experiment): string[] {
  const out: string[] = [];
  const probes = e.hypothesis.probes.length;
  if (probes > 0) out.push(`hypothesis: ${probes} probe${probes === 1 ? '' : 's'} (no steady state is checked before, during or after the faults)`);
  if (e.recovery) out.push(`recovery: within ${goDuration(e.recovery.within)} (no recovery is measured)`);
  if (e.load) out.push('load (no traffic is generated)');
  if (e.slos.length > 0) out.push(`slos: ${e.slos.length}`);
  if (e.rollbacks.length > 0) out.push(`rollbacks: ${e.rollbacks.length} (not run)`);
  if (e.guardrails.abortIf.length > 0 || e.guardrails.prometheus.length > 0) out.push('guardrails (nothing aborts the run early)');
  if (e.baseline > 0) out.push(`baseline: ${goDuration(e.baseline)} of observation before the first fault`);
  return out;
}

/** robfig/cron as Chaos Mesh parses schedules: 5 fields, or 6 with seconds first, or a descriptor. */
export function isCron(expr: string): boolean {
  const s = expr.trim();
  if (s.startsWith('@')) return /^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(s) || /^@every\s+((\d+(\.\d+)?)(ns|us|ms|s|m|h))+$/.test(s);
  const fields = s.split(/\s+/);
  return (fields.length === 5 || fields.length === 6) && fields.every((f) => /^[0-9A-Za-z*?,/-]+$/.test(f));
}
