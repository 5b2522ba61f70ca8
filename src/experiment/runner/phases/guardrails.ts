/**
 * Guardrails run from the start of the method to the end of recovery. The run's own guardrails
 * (availability, error rate, p95, probe failures) are checked on every sample and on a timer;
 * each PromQL guardrail asks Prometheus on its own interval. The first breach aborts the run.
 * Reporters hear each guardrail's status when it changes (and each PromQL reading), and PromQL
 * readings are recorded in the time series as `guardrail:<name>`, so the abort can be re-derived.
 */
import { sleep } from '../../../util/sleep.js';
import { queryPrometheus } from '../../../probes/promql.js';
import type { GuardrailEvent } from '../../../reporters/types.js';
import { checkGuardrails, describeGuardrail, guardrailState, type GuardrailContext } from '../../../safety/guardrails.js';
import { describePrometheusGuardrail, PromqlGuardrailJudge, promqlTimeout, type PrometheusGuardrail } from '../../../safety/prometheus-guardrail.js';
import type { RunContext } from '../run-context.js';

const GUARDRAIL_TICK_MS = 200;

/** Starts watching; returns the function that stops it. */
export function watchGuardrails(ctx: RunContext): () => void {
  const { experiment, ts, watchedServices } = ctx;
  const services = ctx.loaded.system.system.services;
  const protectedServices = watchedServices.filter((n) => services[n]!.critical && !ctx.targetedServices.has(n));
  const guards = experiment.guardrails.abortIf;
  const lastStatus = new Map<number, GuardrailEvent['status']>();
  const evaluate = () => {
    if (ctx.signal.aborted) return;
    const view: GuardrailContext = {
      now: ts.now(),
      samples: (series) => ts.samples(series),
      services: watchedServices,
      protectedServices,
      criticalFailures: experiment.guardrails.criticalFailures,
      ...(ctx.liveLoad ? { load: ctx.liveLoad } : {}),
    };
    guards.forEach((g, i) => {
      const state = guardrailState(g, view);
      if (lastStatus.get(i) === state.status) return;
      lastStatus.set(i, state.status);
      emit(ctx, { t: view.now, guardrail: describeGuardrail(g), status: state.status, ...(state.value !== undefined ? { value: state.value } : {}), ...(state.reason ? { detail: state.reason } : {}) });
    });
    const reason = checkGuardrails(guards, view);
    if (reason) ctx.abort(`guardrail: ${reason}`);
  };
  const unsubscribe = ts.onSample(evaluate);
  const timer = setInterval(evaluate, GUARDRAIL_TICK_MS);
  const stopPromql = experiment.guardrails.prometheus.map((g) => watchPromql(ctx, g));
  return () => {
    unsubscribe();
    clearInterval(timer);
    for (const stop of stopPromql) stop();
  };
}

/** Evaluates one PromQL guardrail every `interval` until stopped (an evaluation in flight is cancelled). */
function watchPromql(ctx: RunContext, g: PrometheusGuardrail): () => void {
  const stop = new AbortController();
  const judge = new PromqlGuardrailJudge(g);
  const described = describePrometheusGuardrail(g);
  const series = `guardrail:${g.name ?? g.query}`;
  let warned = false;
  const loop = async () => {
    // Readings are due every `interval` from the first, on the run's clock: `for` counts in them.
    let due = ctx.ts.now();
    while (!stop.signal.aborted && !ctx.signal.aborted) {
      const t = ctx.ts.now();
      const outcome = await queryPrometheus(g, { timeoutMs: promqlTimeout(g), signal: stop.signal });
      if (stop.signal.aborted || ctx.signal.aborted) return;
      // Judged at the reading's due time: timers fire up to a millisecond either side of it, and
      // `for: 2s` with 1 s readings must mean the third reading out of bounds, exactly.
      const verdict = judge.judge(outcome, due);
      ctx.ts.record({
        t,
        series,
        ok: verdict.status === 'ok',
        latencyMs: outcome.latencyMs,
        observed: verdict.value !== undefined ? `value ${Number.isFinite(verdict.value) ? Number(verdict.value.toPrecision(6)) : verdict.value}` : (verdict.detail ?? 'no value'),
        ...(outcome.ok ? {} : { error: outcome.error }),
      });
      emit(ctx, { t, guardrail: described, status: verdict.status, ...(verdict.value !== undefined ? { value: verdict.value } : {}), ...(verdict.detail ? { detail: verdict.detail } : {}) });
      if (verdict.abort) return ctx.abort(`guardrail: ${verdict.abort}`);
      if (verdict.status === 'unknown' && !warned) {
        warned = true;
        ctx.reporters.emit('onLog', `guardrail "${g.name ?? g.query}" cannot see (${verdict.detail}); the run goes on (onNoData: continue)`);
      }
      // Never early (timers truncate fractional ms), and no burst to catch up after a slow reading.
      due = Math.max(due + g.interval, ctx.ts.now());
      await sleep(Math.ceil(due - ctx.ts.now()), stop.signal);
    }
  };
  void loop();
  return () => stop.abort();
}

function emit(ctx: RunContext, event: GuardrailEvent): void {
  ctx.reporters.emit('onGuardrail', event);
}
