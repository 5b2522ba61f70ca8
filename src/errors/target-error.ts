import { FaultlineError } from './faultline-error.js';

/** A target could not be resolved or acted on (no such process, service not running, …). */
export class TargetError extends FaultlineError {
  constructor(message: string, readonly service?: string, options?: { cause?: unknown }) {
    super('E_TARGET', message, options);
  }
}

export function isTargetError(err: unknown): err is TargetError {
  return err instanceof TargetError;
}
