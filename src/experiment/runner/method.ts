/**
 * Executes an experiment's method: fault steps, waits, sequences, parallel groups and random
 * choices. Each fault is written to the ledger (intent with its undo, fsync'd) before it is
 * applied; held faults are reverted when their duration ends or the run aborts, whichever is
 * first. A revert failure is recorded and the method goes on reverting the rest.
 */
import { randomUUID } from 'node:crypto';
import type { FaultContext, FaultKind, FaultTarget, RevertInfo } from '../../faults/types.js';
import { isTargetError } from '../../errors/index.js';
import type { FaultRecord } from '../../journal/types.js';
import type { Ledger } from '../../safety/ledger.js';
import { pick } from '../../util/random.js';
import { sleep } from '../../util/sleep.js';
import type { FaultStep, Step, TargetRef } from '../schema/experiment.js';

export interface MethodContext {
  kinds: Record<string, FaultKind>;
  ledger: Ledger;
  runId: string;
  signal: AbortSignal;
  random: () => number;
  /** Run time now (ms since start, monotonic). */
  now(): number;
  resolve(kind: FaultKind, ref: string): Promise<FaultTarget[]>;
  /** Abort the whole run (an injection failed): cuts short what parallel siblings hold. */
  abort(reason: string): void;
  onInjected(record: FaultRecord): void;
  onReverted(record: FaultRecord): void;
  log(message: string): void;
  /** Every fault record of the run, in injection order. */
  faults: FaultRecord[];
  /** Asked before each step: a reason to abort (e.g. outside the allowed time windows), or nothing. */
  beforeStep?(): string | undefined;
  /** A fault step that was not applied, and why (its target never came back from an earlier fault of this run). */
  onSkipped?(reason: string): void;
}

export async function executeSteps(steps: Step[], ctx: MethodContext): Promise<void> {
  for (const step of steps) {
    if (ctx.signal.aborted) return;
    const veto = ctx.beforeStep?.();
    if (veto) return ctx.abort(veto);
    await executeStep(step, ctx);
  }
}

async function executeStep(step: Step, ctx: MethodContext): Promise<void> {
  switch (step.type) {
    case 'fault':
      return executeFault(step, ctx);
    case 'wait':
      await sleep(step.wait, ctx.signal);
      return;
    case 'sequence':
      return executeSteps(step.steps, ctx);
    case 'parallel':
      await Promise.all(step.steps.map((s) => executeStep(s, ctx)));
      return;
    case 'random': {
      const chosen = pick(step.steps, ctx.random);
      ctx.log(`random step: chose ${describeStep(chosen)}`);
      return executeStep(chosen, ctx);
    }
  }
}

export function describeStep(step: Step): string {
  if (step.name) return step.name;
  switch (step.type) {
    case 'fault':
      return `${step.fault} ${typeof step.target === 'string' ? step.target : JSON.stringify(step.target)}`;
    case 'wait':
      return `wait ${step.wait}ms`;
    default:
      return `${step.type} of ${step.steps.length}`;
  }
}

export function chooseTargets(target: TargetRef, random: () => number): string[] {
  if (typeof target === 'string') return [target];
  if (Array.isArray(target)) return target;
  return [pick(target.random, random)];
}

interface Applied {
  record: FaultRecord;
  kind: FaultKind;
  info: RevertInfo;
}

async function executeFault(step: FaultStep, ctx: MethodContext): Promise<void> {
  const kind = ctx.kinds[step.fault]!;
  const params = kind.params.parse(step.params);
  const refs = chooseTargets(step.target, ctx.random);
  if (typeof step.target === 'object' && !Array.isArray(step.target)) ctx.log(`random target: chose ${refs[0]}`);
  const faultCtx: FaultContext = { signal: ctx.signal, runId: ctx.runId, log: ctx.log };

  const applied: Applied[] = [];
  try {
    for (const ref of refs) {
      const targets = await resolveOrSkip(kind, ref, step, ctx);
      for (const target of targets) {
        if (ctx.signal.aborted) break;
        applied.push(await injectOne(kind, target, params, step, faultCtx, ctx));
      }
    }
    if (kind.timing === 'held' && step.duration !== undefined) await sleep(step.duration, ctx.signal);
  } catch (err) {
    ctx.abort(`fault ${step.fault} on ${refs.join(', ')} could not be injected: ${(err as Error).message}`);
  } finally {
    // Undo in reverse order of injection, whatever happened above.
    for (const a of applied.reverse()) await revertOne(a, faultCtx, ctx);
  }
}

/**
 * The targets of one reference. A service that an earlier fault of this run took down and that
 * never came back (nothing restarts it) has nothing left to fault: the step is skipped and says
 * so — the failed recovery is the finding, and aborting would hide it behind "aborted".
 */
async function resolveOrSkip(kind: FaultKind, ref: string, step: FaultStep, ctx: MethodContext): Promise<FaultTarget[]> {
  try {
    return await ctx.resolve(kind, ref);
  } catch (err) {
    const service = isTargetError(err) ? err.service : undefined;
    const hitBefore = service !== undefined && ctx.faults.some((f) => f.service === service && f.status !== 'inject-failed');
    if (!hitBefore) throw err;
    const reason = `step "${step.name ?? `${step.fault} ${ref}`}" skipped: ${service} is not there to fault (${(err as Error).message}); it did not come back from an earlier fault of this run`;
    ctx.log(reason);
    ctx.onSkipped?.(reason);
    return [];
  }
}

async function injectOne(kind: FaultKind, target: FaultTarget, params: unknown, step: FaultStep, faultCtx: FaultContext, ctx: MethodContext): Promise<Applied> {
  const id = `f-${randomUUID().slice(0, 8)}`;
  const info = kind.plan(target, params);
  const record: FaultRecord = {
    id,
    kind: kind.name,
    driver: kind.driver,
    service: target.service,
    target: target.label,
    ...(step.name ? { step: step.name } : {}),
    params: step.params,
    ...(step.duration !== undefined ? { durationMs: step.duration } : {}),
    status: 'active',
    injectedAt: new Date().toISOString(),
    injectedT: ctx.now(),
  };
  // Write-ahead: the undo is on disk before the fault exists.
  await ctx.ledger.intent({ runId: ctx.runId, faultId: id, kind: kind.name, driver: kind.driver, service: target.service, target: target.label, revertInfo: info });
  ctx.faults.push(record);
  try {
    const result = await kind.inject(target, params, faultCtx);
    record.injectedT = ctx.now();
    record.injectedAt = new Date().toISOString();
    if (result.details) record.details = result.details;
    await ctx.ledger.applied({ runId: ctx.runId, faultId: id, details: result.details });
  } catch (err) {
    record.status = 'inject-failed';
    record.error = (err as Error).message;
    // It may be half-applied: revert is idempotent, so undo it now.
    await kind.revert(info, faultCtx).catch(() => undefined);
    await ctx.ledger.reverted({ runId: ctx.runId, faultId: id, by: 'run' });
    ctx.onReverted(record);
    throw err;
  }
  ctx.onInjected(record);
  return { record, kind, info };
}

async function revertOne(a: Applied, faultCtx: FaultContext, ctx: MethodContext): Promise<void> {
  try {
    await a.kind.revert(a.info, faultCtx);
    a.record.status = 'reverted';
    await ctx.ledger.reverted({ runId: ctx.runId, faultId: a.record.id, by: 'run' });
  } catch (err) {
    a.record.status = 'revert-failed';
    a.record.error = (err as Error).message;
    await ctx.ledger.revertFailed({ runId: ctx.runId, faultId: a.record.id, error: a.record.error }).catch(() => undefined);
  }
  // Single actions (kill, restart) stop acting the moment they are applied.
  const end = a.kind.timing === 'instant' ? a.record.injectedT : ctx.now();
  a.record.revertedT = end;
  a.record.revertedAt = a.kind.timing === 'instant' ? a.record.injectedAt : new Date().toISOString();
  ctx.onReverted(a.record);
}
