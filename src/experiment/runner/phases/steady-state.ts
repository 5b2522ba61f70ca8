/**
 * The hypothesis's checks around the method:
 * - before: every probe once, and the health check of every service in the recovery scope — a
 *   fault injected into a system that is already down measures nothing (a run without probes
 *   would otherwise inject anyway). A service is healthy when its check passes within
 *   HEALTH_ATTEMPTS tries one health interval apart: one slow answer on a loaded machine is not
 *   an outage, a service that is down fails them all. Any failure: no fault is injected and the
 *   run deviates.
 * - throughout: a probe marked `throughout` is judged on all its samples from the start of the
 *   method to the end of recovery (a fault's effects last until the system has recovered).
 * - after: every probe once more, when the run got that far.
 */
import type { CheckResult } from '../../../journal/types.js';
import { describeExpectation } from '../../../probes/tolerance.js';
import { sleep } from '../../../util/sleep.js';
import { checkHealth } from '../../runtime/health.js';
import { checkProbeNow, checkThroughout } from '../checks.js';
import { toProbeCall } from '../probe-call.js';
import { recoveryScope, type RunContext } from '../run-context.js';
import { healthInterval } from './observation.js';

export const NOT_STEADY_BEFORE = 'the steady state did not hold before the method, so no fault was injected';

export async function steadyStateBefore(ctx: RunContext): Promise<void> {
  if (ctx.signal.aborted) return;
  ctx.enter('steady-state-before');
  const checks: CheckResult[] = [];
  for (const probe of ctx.experiment.hypothesis.probes) {
    checks.push(await checkProbeNow(probe, 'steady-state-before', { cwd: ctx.loaded.dir, signal: ctx.signal, now: () => ctx.ts.now() }));
  }
  checks.push(...(await servicesHealthy(ctx)));
  for (const check of checks) {
    ctx.record.before.push(check);
    ctx.reporters.emit('onCheck', check);
  }
  ctx.record.steadyBefore = checks.every((c) => c.ok);
  if (!ctx.record.steadyBefore) ctx.record.reasons.push(NOT_STEADY_BEFORE);
}

export const HEALTH_ATTEMPTS = 3;

/** The health of each service in the recovery scope that has a health check, all at the same time. */
async function servicesHealthy(ctx: RunContext): Promise<CheckResult[]> {
  const services = ctx.loaded.system.system.services;
  const scope = recoveryScope(ctx).filter((name) => services[name]?.health);
  return Promise.all(
    scope.map(async (name): Promise<CheckResult> => {
      const health = services[name]!.health!;
      let r = await checkHealth(health, { cwd: ctx.loaded.system.dir, signal: ctx.signal });
      for (let attempt = 1; !r.ok && attempt < HEALTH_ATTEMPTS && !ctx.signal.aborted; attempt++) {
        await sleep(healthInterval(ctx, name), ctx.signal);
        r = await checkHealth(health, { cwd: ctx.loaded.system.dir, signal: ctx.signal });
      }
      return { name: `${name} is healthy`, kind: 'steady-state-before', ok: r.ok, observed: r.observed, expected: `its health check in ${ctx.loaded.system.file} passes (${HEALTH_ATTEMPTS} tries)`, t: ctx.ts.now() };
    }),
  );
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
