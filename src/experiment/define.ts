/**
 * Identity helpers that give TypeScript experiment and system files their types:
 *   export default defineExperiment({ title: '…', method: [{ fault: 'kill', target: 'api' }] })
 * The object goes through the same schema as YAML and JSON files.
 */
import type { z } from 'zod';
import type { BuiltinFaultName } from '../drivers/index.js';
import type { experimentSchema } from './schema/experiment.js';
import type { systemSchema } from './schema/system.js';

type DurationInput = string | number;
type TargetInput = string | string[] | { random: string[] };

export type StepInput =
  | { fault: BuiltinFaultName | (string & {}); target: TargetInput; duration?: DurationInput; name?: string; [param: string]: unknown }
  | { wait: DurationInput; name?: string }
  | { sequence: StepInput[]; name?: string }
  | { parallel: StepInput[]; name?: string }
  | { random: StepInput[]; name?: string };

type TopLevelInput = z.input<ReturnType<typeof experimentSchema>>;
export type ExperimentInput = Omit<TopLevelInput, 'method'> & { method: StepInput[] };
export type SystemInput = z.input<typeof systemSchema>;

export function defineExperiment(experiment: ExperimentInput): ExperimentInput {
  return experiment;
}

export function defineSystem(system: SystemInput): SystemInput {
  return system;
}
