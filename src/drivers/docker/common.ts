/** Pieces every docker fault kind shares: the `replicas` parameter, revert-info parsing, engine calls. */
import type Docker from 'dockerode';
import { z } from 'zod';
import type { FaultContext, RevertInfo } from '../../faults/types.js';
import { engineClient, engineMessage, isNotFound, statusOf } from './engine.js';
import { selectReplicas, type DockerContainer, type DockerTarget } from './target.js';

export const replicasParam = z
  .union([z.number().int('expected a whole number of replicas').min(1, 'expected at least 1 replica'), z.string().regex(/^(100|[1-9]?\d(\.\d+)?)%$/, 'expected a percentage such as "50%" (more than 0, at most 100)')])
  .refine((v) => typeof v === 'number' || Number(v.slice(0, -1)) > 0, 'expected a percentage above 0%')
  .optional()
  .describe('Which replicas of a compose or swarm service: all (default), a count (1), or a percentage ("50%", rounded up); chosen at random');

/** The containers a fault acts on: the first `replicas` of the target's (random) order. */
export function chosen(target: DockerTarget, replicas: number | string | undefined): DockerContainer[] {
  return selectReplicas(target.containers, replicas);
}

/** Says which replicas were picked, when a fault acts on some of a service's containers only. */
export function announce(ctx: FaultContext, kind: string, target: DockerTarget, containers: readonly DockerContainer[]): void {
  if (containers.length < target.containers.length) ctx.log(`${kind}: ${containers.map((c) => c.name).join(', ')} (${containers.length} of ${target.containers.length} replicas of ${target.service})`);
}

/** The part of a container every revert needs. */
export const containerRef = z.object({ id: z.string().min(1), name: z.string() });
export type ContainerRef = z.output<typeof containerRef>;

/** Reads a ledger entry's revert info with the kind's schema: a clear error instead of a crash on a damaged entry. */
export function readInfo<T extends z.ZodType>(schema: T, info: RevertInfo, kind: string): z.output<T> {
  const parsed = schema.safeParse(info);
  if (!parsed.success) throw new Error(`${kind}: the ledger's revert info is not what this version of faultline wrote: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export const engineField = z.string().nullable();

/** Inspect, or undefined when the container no longer exists (nothing left to undo on it). */
export async function inspectIfExists(engine: string | null, id: string): Promise<Docker.ContainerInspectInfo | undefined> {
  try {
    return await engineClient(engine).getContainer(id).inspect();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** An engine call that may answer 304 (already in that state): that is success. */
export async function tolerateNotModified(what: () => Promise<unknown>): Promise<'done' | 'already'> {
  try {
    await what();
    return 'done';
  } catch (err) {
    if (statusOf(err) === 304) return 'already';
    throw err;
  }
}

export function failure(action: string, c: { name: string }, err: unknown): Error {
  return new Error(`${action} ${c.name} failed: ${engineMessage(err)}`, { cause: err });
}

export function toInfo(value: unknown): RevertInfo {
  return JSON.parse(JSON.stringify(value)) as RevertInfo;
}
