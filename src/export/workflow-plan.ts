/**
 * An experiment's method as a tree Chaos Mesh can run: chaos resources, suspends for the waits,
 * serial and parallel groups. Targets are resolved to pod selections here (through the caller's
 * `selectionOf`), so every problem is found before anything is printed, with its step path.
 */
import { chaosMeshKinds, type ChaosMeshKind, type ChaosMeshSelection } from '../drivers/kubernetes/chaos-mesh/index.js';
import { ValidationError } from '../errors/index.js';
import type { FaultStep, Step } from '../experiment/schema/experiment.js';
import { formatPath } from '../experiment/loader/zod-issues.js';
import type { DocPath } from '../experiment/loader/read-document.js';
import { RANDOM_STEP, RANDOM_TARGET, unexportableKind } from './export-kinds.js';

export type PlanNode =
  | { type: 'chaos'; path: string; name?: string; kind: ChaosMeshKind; params: unknown; service: string; selection: ChaosMeshSelection; peers: Record<string, ChaosMeshSelection>; durationMs?: number }
  | { type: 'suspend'; path: string; name?: string; ms: number }
  | { type: 'serial' | 'parallel'; path: string; name?: string; children: PlanNode[] };

export interface PlanContext {
  /** For error messages: the experiment file. */
  file: string;
  selectionOf(service: string): Promise<ChaosMeshSelection>;
}

/** Refused with the step's path, as the loader reports problems. */
function refuse(ctx: PlanContext, path: DocPath, message: string): never {
  throw new ValidationError([{ file: ctx.file, path: formatPath(path), message }]);
}

export async function planMethod(method: Step[], ctx: PlanContext): Promise<PlanNode> {
  const cache = new Map<string, Promise<ChaosMeshSelection>>();
  const select = async (service: string, path: DocPath) => {
    // A selectionOf that throws at once is refused at the step just like one whose promise rejects.
    if (!cache.has(service)) cache.set(service, Promise.resolve().then(() => ctx.selectionOf(service)));
    try {
      return await cache.get(service)!;
    } catch (err) {
      if (err instanceof ValidationError) throw err;
      return refuse(ctx, path, err instanceof Error ? err.message : String(err));
    }
  };

  const fault = async (step: FaultStep, path: DocPath): Promise<PlanNode> => {
    const why = unexportableKind(step.fault);
    if (why) refuse(ctx, [...path, 'fault'], why);
    const kind = chaosMeshKinds[step.fault]!;
    if (!Array.isArray(step.target) && typeof step.target !== 'string') refuse(ctx, [...path, 'target'], RANDOM_TARGET);
    const parsed = kind.params.safeParse(step.params);
    if (!parsed.success) refuse(ctx, path, `${kind.name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(parameters)'}: ${i.message}`).join('; ')}`);
    const peers: Record<string, ChaosMeshSelection> = {};
    for (const peer of kind.peers?.(parsed.data) ?? []) peers[peer] = await select(peer, [...path, 'peer']);
    const one = async (service: string, at: DocPath, name = step.name): Promise<PlanNode> => ({
      type: 'chaos',
      path: formatPath(path),
      ...(name !== undefined ? { name } : {}),
      kind,
      params: parsed.data,
      service,
      selection: await select(service, at),
      peers,
      ...(step.duration !== undefined ? { durationMs: step.duration } : {}),
    });
    if (typeof step.target === 'string') return one(step.target, [...path, 'target']);
    // Several services: the fault on each of them at once.
    const children: PlanNode[] = [];
    // The group carries the step's name; each fault is named after its kind and service.
    for (const [i, service] of step.target.entries()) children.push(await one(service, [...path, 'target', i], undefined));
    return { type: 'parallel', path: formatPath(path), ...(step.name !== undefined ? { name: step.name } : {}), children };
  };

  const visit = async (steps: Step[], path: DocPath): Promise<PlanNode[]> => {
    const out: PlanNode[] = [];
    for (const [i, step] of steps.entries()) {
      const here = [...path, i];
      if (step.type === 'fault') out.push(await fault(step, here));
      else if (step.type === 'wait') {
        if (step.wait > 0) out.push({ type: 'suspend', path: formatPath(here), ...(step.name !== undefined ? { name: step.name } : {}), ms: step.wait });
      } else if (step.type === 'random') refuse(ctx, here, RANDOM_STEP);
      else {
        const children = await visit(step.steps, [...here, step.type]);
        if (children.length > 0) out.push({ type: step.type === 'sequence' ? 'serial' : 'parallel', path: formatPath(here), ...(step.name !== undefined ? { name: step.name } : {}), children });
      }
    }
    return out;
  };
  return { type: 'serial', path: 'method', children: await visit(method, ['method']) };
}

/** Every pod selection in the plan (for the namespace of a Workflow). */
export function selectionsOf(node: PlanNode): ChaosMeshSelection[] {
  if (node.type === 'chaos') return [node.selection];
  if (node.type === 'suspend') return [];
  return node.children.flatMap(selectionsOf);
}
