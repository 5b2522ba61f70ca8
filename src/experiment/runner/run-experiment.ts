/**
 * The run lifecycle, one phase per function over one RunContext (src/experiment/runner/phases/):
 *
 *   preflight → observation → baseline → steady state before → method → rollbacks → recovery
 *   → throughout checks → steady state after → (close) → analysis → reports
 *
 * One AbortSignal per run reaches every step; an abort (Ctrl-C, `faultline stop`, max duration,
 * a guardrail, a failed injection) cuts holds short, reverts every fault, still runs rollbacks,
 * still watches recovery for a bounded time, and still writes the report.
 */
import { randomBytes } from 'node:crypto';
import type { Journal } from '../../journal/types.js';
import type { LoadedExperiment } from '../loader/load-experiment.js';
import { baseline } from './phases/baseline.js';
import { method } from './phases/method.js';
import { startObservation } from './phases/observation.js';
import { preflight } from './phases/preflight.js';
import { recovery } from './phases/recovery.js';
import { analyze, report } from './phases/report.js';
import { rollbacks } from './phases/rollbacks.js';
import { judgeThroughout, steadyStateAfter, steadyStateBefore } from './phases/steady-state.js';
import { closeRun, openRun, type RunOptions } from './run-context.js';

export type { RunOptions };

export function newRunId(): string {
  return `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(3).toString('hex')}`;
}

export async function runExperiment(loaded: LoadedExperiment, options: RunOptions): Promise<Journal> {
  const ctx = await openRun(loaded, options, options.runId ?? newRunId());
  try {
    if (await preflight(ctx)) {
      startObservation(ctx);
      await baseline(ctx);
      await steadyStateBefore(ctx);
      await method(ctx);
    }
    await rollbacks(ctx);
    await recovery(ctx);
    ctx.stopGuardrails();
    judgeThroughout(ctx);
    await steadyStateAfter(ctx);
  } finally {
    await closeRun(ctx);
  }
  const journal = analyze(ctx);
  await report(ctx, journal);
  return journal;
}
