/**
 * Observation, from the end of preflight until the run closes: a health watcher per service with
 * a health check (at its own interval, else the run's), one watcher per hypothesis probe, and the
 * load generator. They record into the run's time series; analysis reads only that.
 */
import { isCommandSpec, isK6OperatorSpec, startLoad } from '../../../load/index.js';
import { k6OperatorLoadOptions } from '../../../load/k6-operator/preflight.js';
import { watch } from '../../../observe/watcher.js';
import { DEFAULT_PROBE_TIMEOUT_MS, healthProbe } from '../../runtime/health.js';
import { liveLoadOf, loadGuardrailWindow } from '../live-load.js';
import { toProbeCall } from '../probe-call.js';
import type { RunContext } from '../run-context.js';

/** A service's health probe interval: its own, else the run's. */
export function healthInterval(ctx: Pick<RunContext, 'loaded' | 'probeInterval'>, service: string): number {
  return ctx.loaded.system.system.services[service]?.health?.interval ?? ctx.probeInterval;
}

export function startObservation(ctx: RunContext): void {
  const { loaded, experiment, ts } = ctx;
  for (const name of ctx.watchedServices) {
    const { call, expect } = healthProbe(loaded.system.system.services[name]!.health!);
    const w = watch({ series: `service:${name}`, call, expect, interval: healthInterval(ctx, name), timeSeries: ts, cwd: loaded.system.dir, defaultTimeout: DEFAULT_PROBE_TIMEOUT_MS });
    ctx.stopObservers.push(() => w.stop());
  }
  for (const probe of experiment.hypothesis.probes) {
    const w = watch({ series: `probe:${probe.name}`, call: toProbeCall(probe), expect: probe.expect, interval: ctx.probeInterval, timeSeries: ts, cwd: loaded.dir, defaultTimeout: DEFAULT_PROBE_TIMEOUT_MS });
    ctx.stopObservers.push(() => w.stop());
  }
  if (experiment.load) {
    const spec = isCommandSpec(experiment.load) || isK6OperatorSpec(experiment.load) ? { ...experiment.load, cwd: loaded.dir } : experiment.load;
    const keepRecentMs = loadGuardrailWindow(experiment.guardrails.abortIf);
    const cluster = k6OperatorLoadOptions(ctx);
    ctx.load = startLoad(spec, { signal: ctx.signal, now: () => ts.now(), onBucket: (b) => ctx.reporters.emit('onLoadBucket', b), ...(keepRecentMs > 0 ? { keepRecentMs } : {}), ...(cluster ? { cluster } : {}) });
    const live = liveLoadOf(ctx.load) ?? ctx.options.liveLoad;
    if (live) ctx.liveLoad = live;
  }
}
