/** Rollbacks always run, whatever happened before (held, deviated, aborted). */
import { runRollbacks } from '../rollbacks.js';
import type { RunContext } from '../run-context.js';

export async function rollbacks(ctx: RunContext): Promise<void> {
  ctx.enter('rollbacks');
  ctx.record.rollbacks = await runRollbacks(ctx.experiment.rollbacks, {
    runtime: ctx.runtime,
    kinds: ctx.options.kinds,
    cwd: ctx.loaded.dir,
    runId: ctx.runId,
    now: () => ctx.ts.now(),
    log: (m) => ctx.reporters.emit('onLog', m),
  });
}
