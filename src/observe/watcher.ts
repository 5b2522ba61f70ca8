/**
 * Runs one probe on a fixed cadence and records every result into the time series.
 *
 * Cadence is start-to-start (`interval`), on a fixed schedule so timer lateness does not add up.
 * Probes never overlap: one that runs past its slot delays the next until it ends, and missed
 * slots are skipped, not made up in a burst. Each sample is stamped with its probe's START time:
 * the state it reports is the state at (or just after) that instant, which bounds the error of
 * impact and recovery times to one interval.
 */
import { probeKind, runProbe } from '../probes/run-probe.js';
import { evaluate } from '../probes/tolerance.js';
import type { Expectation, ProbeCall } from '../probes/types.js';
import type { Sample, TimeSeries } from './time-series.js';

export interface WatchOptions {
  series: string;
  call: ProbeCall;
  expect?: Expectation;
  /** ms, start to start. */
  interval: number;
  timeSeries: TimeSeries;
  /** Aborting it stops the watcher; a probe cut short by it is not recorded. */
  signal?: AbortSignal;
  cwd?: string;
  /** ms, when the call has no timeout of its own. */
  defaultTimeout: number;
  /** The schedule's clock (default: performance.now and timers); tests pass a virtual one. */
  clock?: WatchClock;
}

/** What the schedule reads and waits on. `sleep` resolves after ms, or at once on abort; never rejects. */
export interface WatchClock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

const realClock: WatchClock = { now: () => performance.now(), sleep };

export interface Watcher {
  /** Stops probing and resolves once the probe in flight has ended (it is aborted, not awaited in full). */
  stop(): Promise<void>;
}

export function watch(options: WatchOptions): Watcher {
  probeKind(options.call); // A malformed call throws here, not later inside the loop.
  const controller = new AbortController();
  const stopNow = (): void => controller.abort();
  if (options.signal?.aborted) controller.abort();
  else options.signal?.addEventListener('abort', stopNow, { once: true });
  const done = loop(options, controller.signal).finally(() => options.signal?.removeEventListener('abort', stopNow));
  done.catch(() => {}); // Surfaced by stop(); no unhandled rejection meanwhile.
  return {
    stop() {
      controller.abort();
      return done;
    },
  };
}

async function loop(o: WatchOptions, signal: AbortSignal): Promise<void> {
  const probeOptions = { signal, cwd: o.cwd, defaultTimeout: o.defaultTimeout };
  const clock = o.clock ?? realClock;
  let next = clock.now();
  while (!signal.aborted) {
    const startMono = clock.now();
    const result = await runProbe(o.call, probeOptions);
    if (signal.aborted) return;
    const verdict = evaluate(o.call, result, o.expect);
    const sample: Sample = { t: o.timeSeries.fromMono(startMono), series: o.series, ok: verdict.ok, latencyMs: result.latencyMs, observed: verdict.observed };
    if (result.error !== undefined) sample.error = result.error;
    o.timeSeries.record(sample);
    next += o.interval;
    const now = clock.now();
    if (next < now) next = now; // Overran: start right away, without catching up on missed slots.
    else await clock.sleep(next - now, signal);
  }
}

/** Resolves after ms, or at once when the signal aborts. Never rejects. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const wake = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    signal.addEventListener('abort', wake, { once: true });
  });
}
