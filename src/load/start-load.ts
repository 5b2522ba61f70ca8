/** One entry point for the runner and the CLI: the built-in generator or an external tool, by the spec's shape. */
import type { LoadRecord } from '../journal/types.js';
import { CommandLoad } from './command-load.js';
import { BuiltinLoad } from './engine.js';
import { K6_OPERATOR_TOOL, K6OperatorLoad } from './k6-operator/run.js';
import { isCommandSpec, isK6OperatorSpec, type LoadSpec } from './spec.js';
import type { LoadRun, StartLoadOptions } from './types.js';
import { effectiveWorkers, WorkerPoolLoad } from './worker-pool.js';

/** Starts the load now. Never throws: a load that cannot start gives a record with `error` from stop(). */
export function startLoad(spec: LoadSpec, options: StartLoadOptions = {}): LoadRun {
  try {
    if (isK6OperatorSpec(spec)) return new K6OperatorLoad(spec, options);
    if (isCommandSpec(spec)) return new CommandLoad(spec, options);
    return effectiveWorkers(spec) > 1 ? new WorkerPoolLoad(spec, options) : new BuiltinLoad(spec, options);
  } catch (err) {
    return failedLoad(isK6OperatorSpec(spec) ? K6_OPERATOR_TOOL : isCommandSpec(spec) ? 'command' : 'builtin', `the load could not start: ${(err as Error).message}`, options);
  }
}

function failedLoad(tool: string, error: string, options: StartLoadOptions): LoadRun {
  const t = options.now?.() ?? 0;
  const record: LoadRecord = { tool, phases: [], buckets: [], error };
  return {
    mark: () => undefined,
    ended: Promise.resolve(),
    progress: () => ({ elapsedMs: 0, requests: 0, errors: 0, late: 0, phase: 'baseline' }),
    stop: () => Promise.resolve(record),
    totals: () => ({ startT: t, endT: t, requests: 0, errors: 0, rps: 0, errorRate: null, availability: null, latencyMs: null, statusCodes: {}, sent: 0, notSent: 0, cutOff: 0, bytes: 0 }),
  };
}
