/**
 * Base of every error faultline raises on purpose. `code` is stable: scripts and tests match on
 * it, never on the message. The CLI maps codes to exit codes in one place (cli/exit-codes.ts).
 */
export class FaultlineError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export function isFaultlineError(err: unknown): err is FaultlineError {
  return err instanceof FaultlineError;
}
