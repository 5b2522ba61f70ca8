import { FaultlineError } from './faultline-error.js';

/** The command line or environment is wrong (missing file, unknown service, bad flag value). Exit 2. */
export class UsageError extends FaultlineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_USAGE', message, options);
  }
}

export function isUsageError(err: unknown): err is UsageError {
  return err instanceof UsageError;
}
