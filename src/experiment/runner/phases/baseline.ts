/** Baseline: the steady state under load, before anything is checked or injected. */
import { sleep } from '../../../util/sleep.js';
import type { RunContext } from '../run-context.js';

export async function baseline(ctx: RunContext): Promise<void> {
  if (ctx.experiment.baseline <= 0) return;
  ctx.enter('baseline');
  await sleep(ctx.experiment.baseline, ctx.signal);
}
