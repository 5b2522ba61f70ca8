/**
 * Recovery: after the last fault ends, wait until every service in the recovery scope has been
 * healthy for `sustained` consecutive probes, or the deadline passes (the expectation's `within`,
 * else 30 s, plus the time `sustained` probes take).
 */
import { faultWindow } from '../../../analysis/fault-window.js';
import { firstSustainedHealthy } from '../../../observe/recovery.js';
import { sleep } from '../../../util/sleep.js';
import { recoveryScope, type RunContext } from '../run-context.js';

/** How long to wait for recovery when the experiment states no expectation. */
export const DEFAULT_RECOVERY_WAIT_MS = 30_000;

export async function recovery(ctx: RunContext): Promise<void> {
  const window = faultWindow(ctx.record.faults);
  if (!window || ctx.signal.aborted) return;
  ctx.enter('recovery');
  const { ts, sustained, probeInterval } = ctx;
  const scope = recoveryScope(ctx);
  const deadline = window.end + (ctx.experiment.recovery?.within ?? DEFAULT_RECOVERY_WAIT_MS) + probeInterval * sustained;
  while (ts.now() < deadline && !ctx.signal.aborted) {
    const pending = scope.filter((s) => firstSustainedHealthy(ts.samples(`service:${s}`), window.end, sustained) === null);
    if (pending.length === 0) break;
    await sleep(Math.min(probeInterval, 100), ctx.signal);
  }
}
