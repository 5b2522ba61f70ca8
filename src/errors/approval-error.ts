import { FaultlineError } from './faultline-error.js';

/** An experiment that needs an approval has no valid one (never approved, changed since, expired), or an ad-hoc fault on a system that needs one. Exit 2: nothing was injected. */
export class ApprovalError extends FaultlineError {
  constructor(
    message: string,
    /** The experiment (or system) file the approval is missing for. */
    readonly file: string,
  ) {
    super('E_APPROVAL', message);
  }
}

export function isApprovalError(err: unknown): err is ApprovalError {
  return err instanceof ApprovalError;
}
