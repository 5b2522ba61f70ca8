/** The load generator and external load tools: one LoadRun handle, producing the journal's LoadRecord. */
export { startLoad } from './start-load.js';
export { parseRate, RATE_HINT } from './rate.js';
export { LATE_MS, LOAD_DEFAULTS, isBuiltinSpec, isCommandSpec, isK6OperatorSpec, type BuiltinLoadSpec, type CommandLoadSpec, type K6OperatorLoadSpec, type LoadFormat, type LoadRequest, type LoadSpec } from './spec.js';
export type { LoadPhaseName, LoadProgress, LoadRun, LoadTotals, StartLoadOptions } from './types.js';
export { adapters, type Adapter, type AdapterOutput, type ToolRun } from './adapters/index.js';
export { expandStatuses, type StatusMatch } from './status.js';
export { describeUnanswered } from './unanswered.js';
