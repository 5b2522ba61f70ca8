/**
 * Recovery: after the last fault ends, wait until every service in the recovery scope has been
 * healthy for `sustained` consecutive probes, or the deadline passes.
 *
 * - The deadline is the fault window's end + the expectation's `within` (else 30 s) + the time
 *   `sustained` probes take at the SLOWEST health interval in scope: a service probed every 2 s
 *   that recovers late in `within` still gets its sustained probes.
 * - An aborted run (`faultline stop`, a guardrail, max duration) has reverted its faults: it still
 *   watches, for at most ABORTED_RECOVERY_WAIT_MS after the abort, so a service healthy right
 *   after the revert is reported as recovered. What the shortened wait could not see is
 *   "not measured (aborted)", never "did not recover" (see analyze.ts).
 * - `observe` keeps the phase open that long after it began (the method's end), recovered or not
 *   (an aborted run does not wait for it).
 */
import { faultWindow } from '../../../analysis/fault-window.js';
import { endsHealthy } from '../../../observe/recovery.js';
import { sleep } from '../../../util/sleep.js';
import { recoveryScope, type RunContext } from '../run-context.js';
import { healthInterval } from './observation.js';

/** How long to wait for recovery when the experiment states no expectation. */
export const DEFAULT_RECOVERY_WAIT_MS = 30_000;
/** How long an aborted run goes on watching recovery (the user asked it to stop: keep it short). */
export const ABORTED_RECOVERY_WAIT_MS = 5_000;
const POLL_MS = 100;

/** When the recovery wait gives up, on the run's clock. */
export function recoveryDeadline(ctx: Pick<RunContext, 'experiment' | 'watchedServices' | 'loaded' | 'probeInterval' | 'sustained'>, windowEnd: number): number {
  const slowest = Math.max(ctx.probeInterval, ...recoveryScope(ctx).map((s) => healthInterval(ctx, s)));
  return windowEnd + (ctx.experiment.recovery?.within ?? DEFAULT_RECOVERY_WAIT_MS) + slowest * ctx.sustained;
}

export async function recovery(ctx: RunContext): Promise<void> {
  const window = faultWindow(ctx.record.faults);
  if (!window) return;
  ctx.enter('recovery');
  const { ts, sustained } = ctx;
  const scope = recoveryScope(ctx);
  const deadline = recoveryDeadline(ctx, window.end);
  // Until the abort: the full deadline. After it: a short bounded look.
  const limit = () => (ctx.record.abortedT === undefined ? deadline : Math.min(deadline, Math.max(ctx.record.abortedT, window.end) + ABORTED_RECOVERY_WAIT_MS));
  const phaseStart = ts.now();
  while (ts.now() < limit()) {
    // Ends healthy, not merely was healthy once: an outage after a healthy spell (a rollback's
    // restart) is waited out, as the analysis counts recovery from the last failure. And settled:
    // a probe of each service has started since this phase began — probes of one series never
    // overlap, so no probe from before (one in flight across a rollback's restart) is still to land.
    const pending = scope.filter((s) => !settledHealthy(ts.samples(`service:${s}`), window.end, sustained, phaseStart));
    if (pending.length === 0) break;
    await sleep(Math.min(ctx.probeInterval, POLL_MS), ctx.signal.aborted ? undefined : ctx.signal);
  }
  // A recovery window of a set length (`observe`, from the method's end, where the load's recovery
  // phase begins): the load's recovery figures cover it whole.
  const observeUntil = phaseStart + (ctx.experiment.recovery?.observe ?? 0);
  if (!ctx.signal.aborted && ts.now() < observeUntil) await sleep(observeUntil - ts.now(), ctx.signal);
  ctx.record.recoveryObserved = { until: ts.now(), deadline };
}

function settledHealthy(samples: ReturnType<RunContext['ts']['samples']>, from: number, sustained: number, since: number): boolean {
  return samples.some((x) => x.t >= since) && endsHealthy(samples, from, sustained);
}
