/**
 * The runner's two calls for a k6Operator load: in preflight, whether the cluster can run it (a
 * missing operator refuses the run before any fault); at observation, what the load needs from
 * the run — its id, the system file's cluster, and the ledger.
 */
import type { RunContext } from '../../experiment/runner/run-context.js';
import type { K6OperatorLoadSpec } from '../spec.js';
import { isK6OperatorSpec } from '../spec.js';
import type { StartLoadOptions } from '../types.js';
import type { FaultTarget } from '../../faults/types.js';
import { k6OperatorCheck, k6OperatorClusterRef } from './cluster-ref.js';

type Ctx = Pick<RunContext, 'experiment' | 'loaded' | 'runId' | 'ledger'>;

function specOf(ctx: Ctx): K6OperatorLoadSpec | undefined {
  const load = ctx.experiment.load;
  return load !== undefined && isK6OperatorSpec(load) ? { ...load, cwd: ctx.loaded.dir } : undefined;
}

/**
 * For a k6Operator load (undefined for any other): why it cannot run on its cluster, if so, and
 * the target a run confirms before touching the cluster — the load creates things there too.
 */
export async function k6OperatorPreflight(ctx: Ctx): Promise<{ refusal?: string; target: FaultTarget } | undefined> {
  const spec = specOf(ctx);
  if (!spec) return undefined;
  const own = spec.k6Operator;
  const { problem, clusterLabel } = await k6OperatorCheck(k6OperatorClusterRef(spec, ctx.loaded.system.system.kubernetes, ctx.loaded.system.dir), own.namespace);
  const target: FaultTarget = { service: 'load', label: `load: a k6 operator TestRun of ${own.parallelism} runner${own.parallelism === 1 ? '' : 's'} in ${own.namespace}${clusterLabel ? ` (${clusterLabel})` : ''}`, remote: true };
  return { ...(problem !== undefined ? { refusal: problem } : {}), target };
}

export function k6OperatorLoadOptions(ctx: Ctx): StartLoadOptions['cluster'] {
  const spec = specOf(ctx);
  if (!spec) return undefined;
  return { runId: ctx.runId, ref: k6OperatorClusterRef(spec, ctx.loaded.system.system.kubernetes, ctx.loaded.system.dir), ledger: ctx.ledger };
}
