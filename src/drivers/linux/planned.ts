/**
 * plan() computes a fault's undo before anything happens; inject() must then apply exactly that
 * plan (same table name, same cgroup). The runner calls both with the same target object, so the
 * plan is kept here, keyed by it, for inject to pick up.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { TargetError } from '../../errors/index.js';
import type { RevertInfo } from '../../faults/types.js';

export class PlanMemo<Info extends RevertInfo> {
  private readonly plans = new WeakMap<object, Info>();

  remember(target: object, info: Info): Info {
    this.plans.set(target, info);
    return info;
  }

  /** The plan made for this target, or a fresh one when inject is called without plan(). */
  recall(target: object, make: () => Info): Info {
    return this.plans.get(target) ?? this.remember(target, make());
  }
}

/** 8 hex digits: names our tables, chains, cgroups and files. */
export function shortId(): string {
  return randomBytes(4).toString('hex');
}

/** Reads a fault's revert info back from the ledger's plain JSON, or says which fault's info is broken. */
export function parseInfo<T>(schema: z.ZodType<T>, info: RevertInfo, fault: string): T {
  const parsed = schema.safeParse(info);
  if (!parsed.success) {
    throw new TargetError(`${fault}: revert info ${JSON.stringify(info).slice(0, 200)} is not what this version of faultline wrote (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  }
  return parsed.data;
}

export const netnsRefSchema = z.object({ inode: z.number().int().nonnegative(), pid: z.number().int().positive().optional(), startTicks: z.number().int().nonnegative().optional() });
