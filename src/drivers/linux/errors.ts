/** The linux driver's errors: a host that cannot run a fault, and a host command that failed. */
import { FaultlineError } from '../../errors/faultline-error.js';

/**
 * The host lacks something a fault needs (root or a capability, a tool, a kernel feature): raised
 * before anything is applied. Code `E_HOST_REQUIREMENT`.
 */
export class HostRequirementError extends FaultlineError {
  constructor(
    readonly fault: string,
    readonly missing: string[],
  ) {
    super('E_HOST_REQUIREMENT', `${fault} cannot run on this host: ${missing.join('; ')}`);
  }
}

export function isHostRequirementError(err: unknown): err is HostRequirementError {
  return err instanceof HostRequirementError;
}

/** A host command (nft, tc, iptables, …) failed. Code `E_HOST_COMMAND`; the message quotes the command and its stderr. */
export class HostCommandError extends FaultlineError {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super('E_HOST_COMMAND', `\`${command}\` failed (exit ${exitCode ?? 'signal'}): ${stderr.trim().split('\n').slice(0, 4).join(' | ') || 'no output'}`);
  }
}

export function isHostCommandError(err: unknown): err is HostCommandError {
  return err instanceof HostCommandError;
}
