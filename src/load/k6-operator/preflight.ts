/**
 * The runner's two calls for a k6Operator load: in preflight, whether the cluster can run it (a
 * missing operator refuses the run before any fault); at observation, what the load needs from
 * the run — its id, the system file's cluster, and the ledger.
 */
import type { RunContext } from '../../experiment/runner/run-context.js';
import type { K6OperatorLoadSpec } from '../spec.js';
import { isK6OperatorSpec } from '../spec.js';
import type { StartLoadOptions } from '../types.js';
import { k6OperatorClusterRef, k6OperatorProblem } from './cluster-ref.js';

type Ctx = Pick<RunContext, 'experiment' | 'loaded' | 'runId' | 'ledger'>;

function specOf(ctx: Ctx): K6OperatorLoadSpec | undefined {
  const load = ctx.experiment.load;
  return load !== undefined && isK6OperatorSpec(load) ? { ...load, cwd: ctx.loaded.dir } : undefined;
}

/** Why the load cannot run on its cluster, or undefined (also for any other kind of load). */
export async function k6OperatorPreflight(ctx: Ctx): Promise<string | undefined> {
  const spec = specOf(ctx);
  if (!spec) return undefined;
  return k6OperatorProblem(k6OperatorClusterRef(spec, ctx.loaded.system.system.kubernetes, ctx.loaded.system.dir), spec.k6Operator.namespace);
}

export function k6OperatorLoadOptions(ctx: Ctx): StartLoadOptions['cluster'] {
  const spec = specOf(ctx);
  if (!spec) return undefined;
  return { runId: ctx.runId, ref: k6OperatorClusterRef(spec, ctx.loaded.system.system.kubernetes, ctx.loaded.system.dir), ledger: ctx.ledger };
}
