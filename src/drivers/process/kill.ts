/** `kill`: send a signal (SIGKILL by default) to the target process. */
import { z } from 'zod';
import { TargetError } from '../../errors/index.js';
import type { FaultKind } from '../../faults/types.js';
import { sameProcess } from '../../util/proc.js';
import { sendSignal, signalParam } from './signals.js';
import type { ProcessTarget } from './types.js';

const params = z.strictObject({ signal: signalParam('SIGKILL') });
export type KillParams = z.output<typeof params>;

export const killFault: FaultKind<KillParams, ProcessTarget> = {
  name: 'kill',
  driver: 'process',
  summary: 'Send a signal (default SIGKILL) to the process',
  timing: 'instant',
  revertSummary: 'nothing to undo: its supervisor brings it back (that is what is measured)',
  params,
  plan: (target, p) => ({ pid: target.pid, startTicks: target.startTicks, signal: p.signal }),
  async inject(target, p) {
    // The pid was resolved earlier: make sure it still names the same process before signalling it.
    if (!sameProcess(target.pid, target.startTicks) || !sendSignal(target.pid, p.signal)) {
      throw new TargetError(`${target.label} is no longer running`, target.service);
    }
    return { details: { pid: target.pid, signal: p.signal } };
  },
  // Nothing to undo: a signal cannot be taken back, and bringing the process back is its
  // supervisor's job (the restart policy, systemd, Docker) — that is what the experiment observes.
  async revert() {},
};
