/**
 * The hypothesis's checks around the method:
 * - before: every probe once. Any failure: no fault is injected and the run deviates.
 * - throughout: a probe marked `throughout` is judged on all its samples from the start of the
 *   method to the end of recovery (a fault's effects last until the system has recovered).
 * - after: every probe once more, when the run got that far.
 */
import type { CheckResult } from '../../../journal/types.js';
import { describeExpectation } from '../../../probes/tolerance.js';
import { checkProbeNow, checkThroughout } from '../checks.js';
import { toProbeCall } from '../probe-call.js';
import type { RunContext } from '../run-context.js';

export const NOT_STEADY_BEFORE = 'the steady state did not hold before the method, so no fault was injected';

export async function steadyStateBefore(ctx: RunContext): Promise<void> {
  if (ctx.signal.aborted) return;
  ctx.enter('steady-state-before');
  const checks: CheckResult[] = [];
  for (const probe of ctx.experiment.hypothesis.probes) {
    checks.push(await checkProbeNow(probe, 'steady-state-before', { cwd: ctx.loaded.dir, signal: ctx.signal, now: () => ctx.ts.now() }));
  }
  for (const check of checks) {
    ctx.record.before.push(check);
    ctx.reporters.emit('onCheck', check);
  }
  ctx.record.steadyBefore = checks.every((c) => c.ok);
  if (!ctx.record.steadyBefore) ctx.record.reasons.push(NOT_STEADY_BEFORE);
}

export function judgeThroughout(ctx: RunContext): void {
  const start = ctx.record.methodStart;
  if (start === undefined) return;
  const window = { start, end: ctx.ts.now() };
  for (const probe of ctx.experiment.hypothesis.probes.filter((p) => p.throughout)) {
    const check = checkThroughout(probe, ctx.ts.samples(), window, describeExpectation(toProbeCall(probe), probe.expect), ctx.ts.now());
    ctx.record.during.push(check);
    ctx.reporters.emit('onCheck', check);
  }
}

export async function steadyStateAfter(ctx: RunContext): Promise<void> {
  if (!ctx.record.steadyBefore || ctx.experiment.hypothesis.probes.length === 0 || ctx.signal.aborted) return;
  ctx.enter('steady-state-after');
  for (const probe of ctx.experiment.hypothesis.probes) {
    const check = await checkProbeNow(probe, 'steady-state-after', { cwd: ctx.loaded.dir, signal: ctx.signal, now: () => ctx.ts.now() });
    ctx.record.after.push(check);
    ctx.reporters.emit('onCheck', check);
  }
}
