/** The one place errors become exit codes (the contract in docs/cli.md). */
import { isApprovalError, isFaultlineError, isRevertError, isTargetError, isUsageError, isValidationError } from '../errors/index.js';

export const EXIT = {
  held: 0,
  deviated: 1,
  invalid: 2,
  aborted: 3,
  revertFailed: 4,
} as const;

export function exitCodeFor(err: unknown): number {
  if (isRevertError(err)) return EXIT.revertFailed;
  // The run could not be made safe to start without its reaper: nothing was injected.
  if (isFaultlineError(err) && err.code === 'E_REAPER') return EXIT.aborted;
  // recover or stop could not get at the ledger: what it holds may still be in effect.
  if (isFaultlineError(err) && err.code === 'E_STATE_LOCKED') return EXIT.revertFailed;
  // A missing or stale approval refuses the run before anything is touched.
  if (isValidationError(err) || isUsageError(err) || isTargetError(err) || isApprovalError(err)) return EXIT.invalid;
  if (isFaultlineError(err)) return EXIT.invalid;
  return EXIT.invalid;
}

/** What to print for an error: our errors speak for themselves; anything else is a bug, so show its stack. */
export function describeError(err: unknown): string {
  if (isFaultlineError(err)) return `faultline: ${err.message} [${err.code}]`;
  return `faultline: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
}
