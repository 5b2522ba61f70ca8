/**
 * The catalog of standard experiments: templates, each a function from parameters (and the
 * system file they are rendered for) to an ordinary experiment object, which then goes through the
 * same loader and validator as a file. `faultline experiments list` shows them;
 * `faultline run catalog:<name> --target S --set k=v` runs one.
 */
import type { ExperimentInput } from '../experiment/define.js';
import type { RenderContext } from './context.js';

export type ParameterType = 'service' | 'services' | 'link' | 'duration' | 'url' | 'rate' | 'number' | 'string' | 'percent' | 'choice' | 'boolean';

export interface TemplateParameter {
  name: string;
  type: ParameterType;
  description: string;
  /** Must be given (by --target or --set) when it has no default. */
  required?: boolean;
  /** The default as a user would write it, or how it is derived (`the service nothing depends on`). */
  default?: string;
  /** The default is worked out from the system file (`default` says how), not a literal. */
  derived?: boolean;
  /** For `choice`. */
  choices?: readonly string[];
}

export interface CatalogTemplate {
  name: string;
  /** One line: what the experiment does. */
  description: string;
  /** The hypothesis in words: what must hold for the run to pass. */
  hypothesis: string;
  /** What the template needs beyond process faults (shown by `experiments list`). */
  needs?: string[];
  parameters: TemplateParameter[];
  render(ctx: RenderContext): ExperimentInput;
}
