/**
 * The method phase: guardrails on, then the experiment's steps (src/experiment/runner/method.ts
 * injects and reverts each fault and records its window), with the load generator told when
 * chaos begins and ends.
 */
import { outsideWindows } from '../../../safety/time-windows.js';
import { seededRandom } from '../../../util/random.js';
import { executeSteps } from '../method.js';
import type { RunContext } from '../run-context.js';
import { watchGuardrails } from './guardrails.js';

/** Injects only when the run is not aborted and the steady state held before. */
export async function method(ctx: RunContext): Promise<void> {
  if (ctx.signal.aborted || !ctx.record.steadyBefore) return;
  const { experiment, reporters, ts } = ctx;
  ctx.enter('method');
  ctx.record.methodStart = ts.now();
  ctx.stopGuardrails = watchGuardrails(ctx);
  await executeSteps(experiment.method, {
    kinds: ctx.options.kinds,
    kindFor: (name, ref) => ctx.runtime.kindFor(ctx.options.kinds, name, ref),
    ledger: ctx.ledger,
    runId: ctx.runId,
    signal: ctx.signal,
    random: seededRandom(ctx.seed),
    now: () => ts.now(),
    resolve: (kind, ref) => ctx.runtime.resolve(kind, ref),
    abort: ctx.abort,
    onInjecting: () => ctx.load?.mark('chaos'),
    onInjected: (f) => {
      ctx.audit({ event: 'fault-injected', what: `${f.kind} on ${f.target}` });
      reporters.emit('onFaultInjected', f);
    },
    onReverted: (f) => {
      const event = f.status === 'revert-failed' ? 'fault-revert-failed' : 'fault-reverted';
      ctx.audit({ event, what: `${f.kind} on ${f.target}`, outcome: f.status, ...(f.error ? { detail: f.error } : {}) });
      reporters.emit('onFaultReverted', f);
    },
    log: (m) => reporters.emit('onLog', m),
    faults: ctx.record.faults,
    onSkipped: (reason) => ctx.record.skipped.push(reason),
    beforeStep: () => {
      const veto = outsideWindows(experiment.guardrails.windows, new Date());
      return veto ? `time window: ${veto}` : undefined;
    },
  });
  ctx.load?.mark('recovery');
}
