/** Guardrails run from the start of the method to the end of recovery, on every sample and on a timer. */
import { checkGuardrails } from '../../../safety/guardrails.js';
import type { RunContext } from '../run-context.js';

const GUARDRAIL_TICK_MS = 200;

/** Starts watching; returns the function that stops it. */
export function watchGuardrails(ctx: RunContext): () => void {
  const { experiment, ts, watchedServices } = ctx;
  const services = ctx.loaded.system.system.services;
  const protectedServices = watchedServices.filter((n) => services[n]!.critical && !ctx.targetedServices.has(n));
  const evaluate = () => {
    if (ctx.signal.aborted) return;
    const reason = checkGuardrails(experiment.guardrails.abortIf, {
      now: ts.now(),
      samples: (series) => ts.samples(series),
      services: watchedServices,
      protectedServices,
      criticalFailures: experiment.guardrails.criticalFailures,
      load: ctx.liveLoad,
    });
    if (reason) ctx.abort(`guardrail: ${reason}`);
  };
  const unsubscribe = ts.onSample(evaluate);
  const timer = setInterval(evaluate, GUARDRAIL_TICK_MS);
  return () => {
    unsubscribe();
    clearInterval(timer);
  };
}
