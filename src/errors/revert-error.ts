import { FaultlineError } from './faultline-error.js';

/** One or more faults could not be reverted: they may still be in effect. Exit 4. */
export class RevertError extends FaultlineError {
  constructor(
    readonly failures: { faultId: string; kind: string; target: string; error: string }[],
    readonly ledgerPath: string,
  ) {
    super(
      'E_REVERT',
      `${failures.length} fault(s) could not be reverted and may still be in effect:\n` +
        failures.map((f) => `  - ${f.kind} on ${f.target} (${f.faultId}): ${f.error}`).join('\n') +
        `\nFix the cause, then run \`faultline recover\` (ledger: ${ledgerPath}).`,
    );
  }
}

export function isRevertError(err: unknown): err is RevertError {
  return err instanceof RevertError;
}
