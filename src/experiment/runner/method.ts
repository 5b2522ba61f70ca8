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
  /** The kind a fault name means on a reference (its platform's variant); default: the registry's by name. */
  kindFor?(name: string, ref: string): FaultKind;
  ledger: Ledger;
  runId: string;
  signal: AbortSignal;
  random: () => number;
  /** Run time now (ms since start, monotonic). */
  now(): number;
  resolve(kind: FaultKind, ref: string): Promise<FaultTarget[]>;
  /** Abort the whole run (an injection failed): cuts short what parallel siblings hold. */
  abort(reason: string): void;
  /** Just before a fault's injection begins: the start of its window (e.g. the load marks chaos here). */
  onInjecting?(record: FaultRecord): void;
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
  /** Wall time the injection returned. */
  appliedAt: string;
}

async function executeFault(step: FaultStep, ctx: MethodContext): Promise<void> {
  const refs = chooseTargets(step.target, ctx.random);
  const kindOf = (ref: string) => ctx.kindFor?.(step.fault, ref) ?? ctx.kinds[step.fault]!;
  const kind = kindOf(refs[0]!);
  if (typeof step.target === 'object' && !Array.isArray(step.target)) ctx.log(`random target: chose ${refs[0]}`);
  const faultCtx: FaultContext = { signal: ctx.signal, runId: ctx.runId, log: ctx.log, ...(step.duration !== undefined ? { durationMs: step.duration } : {}) };

  const applied: Applied[] = [];
  try {
    for (const ref of refs) {
      // Validation keeps a step's targets on one platform, so every ref has the same kind.
      const kind = kindOf(ref);
      const params = kind.params.parse(step.params);
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
  // The fault window opens when the injection begins: a restart's outage starts with its stop.
  record.injectedT = ctx.now();
  record.injectedAt = new Date().toISOString();
  const applied: Applied = { record, kind, info, appliedAt: record.injectedAt };
  ctx.onInjecting?.(record);
  try {
    const result = await kind.inject(target, params, { ...faultCtx, revertInfo: info, onLost: (reason) => lost(applied, reason, ctx) });
    record.appliedT = ctx.now();
    applied.appliedAt = new Date().toISOString();
    if (result.details) record.details = result.details;
  } catch (err) {
    record.status = 'inject-failed';
    record.error = (err as Error).message;
    // It may be half-applied (one namespace of two, one container of three): undo it now. If that
    // fails too, the fault's status becomes revert-failed and the run ends with exit 4.
    await undo(applied, faultCtx, ctx);
    ctx.onReverted(record);
    throw err;
  }
  // The intent alone is enough to undo it; a failed `applied` line must not leave the fault unreverted.
  await ctx.ledger.applied({ runId: ctx.runId, faultId: id, details: record.details as AppliedDetails }).catch((err: unknown) => ctx.log((err as Error).message));
  ctx.onInjected(record);
  return applied;
}

type AppliedDetails = Parameters<Ledger['applied']>[0]['details'];

/** A held fault that stopped acting on its own: the run can no longer hold what it promised, so it ends. */
function lost(a: Applied, reason: string, ctx: MethodContext): void {
  if (a.record.endedEarly || a.record.status !== 'active') return;
  const t = ctx.now();
  a.record.endedEarly = { t, reason };
  const message = `fault ${a.kind.name} on ${a.record.target} ended early at +${(t / 1000).toFixed(2)} s: ${reason}`;
  ctx.log(message);
  ctx.abort(message);
}

/**
 * Reverts one fault and records the outcome: `reverted` only when the revert succeeded,
 * `revert-failed` (and the fault's status) when it did not. A revert that worked but could not be
 * written to the ledger is still a revert: noted in `ledgerError`, never reported as failed.
 * Returns whether the fault is undone.
 */
async function undo(a: Applied, faultCtx: FaultContext, ctx: MethodContext): Promise<boolean> {
  const ids = { runId: ctx.runId, faultId: a.record.id };
  try {
    await a.kind.revert(a.info, faultCtx);
  } catch (err) {
    const message = (err as Error).message;
    a.record.error = a.record.status === 'inject-failed' ? `injection failed: ${a.record.error}; undoing what it may have applied failed too: ${message}` : message;
    a.record.status = 'revert-failed';
    await ctx.ledger.revertFailed({ ...ids, error: message }).catch((e: unknown) => ctx.log(`${(e as Error).message} (recording a failed revert)`));
    return false;
  }
  // The instant the fault stopped acting: when its revert returned — not after the ledger's fsync.
  const end = ctx.now();
  const endAt = new Date().toISOString();
  if (a.record.status === 'active') a.record.status = 'reverted';
  if (a.record.status === 'reverted') {
    const held = a.kind.timing === 'held';
    // Single actions (kill, restart) stop acting when the injection returns.
    a.record.revertedT = held ? (a.record.endedEarly?.t ?? end) : (a.record.appliedT ?? a.record.injectedT);
    a.record.revertedAt = held ? (a.record.endedEarly ? new Date(Date.now() - (end - a.record.endedEarly.t)).toISOString() : endAt) : a.appliedAt;
  }
  try {
    await ctx.ledger.reverted({ ...ids, by: 'run' });
  } catch (err) {
    a.record.ledgerError = `reverted, but the ledger could not record it (${(err as Error).message}): it still looks open there, and \`faultline recover\` will revert it again, harmlessly`;
    ctx.log(a.record.ledgerError);
  }
  return true;
}

async function revertOne(a: Applied, faultCtx: FaultContext, ctx: MethodContext): Promise<void> {
  await undo(a, faultCtx, ctx);
  ctx.onReverted(a.record);
}
