/** The library API: what `import { … } from 'faultline'` gives. */
export { defineExperiment, defineSystem, type ExperimentInput, type SystemInput, type StepInput } from './experiment/define.js';
export { loadExperiment, type LoadedExperiment } from './experiment/loader/load-experiment.js';
export { loadSystem, type LoadedSystem } from './experiment/loader/load-system.js';
export { runExperiment, type RunOptions } from './experiment/runner/run-experiment.js';
export { builtinFaults, faultRegistry, type BuiltinFaults } from './drivers/index.js';
export type { FaultKind, FaultHandle, FaultTarget, RevertInfo } from './faults/types.js';
export type { Journal, RunStatus, FaultRecord, ServiceRecovery, CheckResult, Sample } from './journal/types.js';
export type { Reporter } from './reporters/types.js';
export { ConsoleReporter } from './reporters/console-reporter.js';
export { JournalReporter } from './reporters/journal-reporter.js';
export { recoverOpenFaults } from './safety/recover.js';
export * from './errors/index.js';
