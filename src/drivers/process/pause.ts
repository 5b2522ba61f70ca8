/** `pause`: freeze the process with SIGSTOP for the step's duration, then SIGCONT. */
import { z } from 'zod';
import { TargetError } from '../../errors/index.js';
import type { FaultKind } from '../../faults/types.js';
import { sameProcess } from '../../util/proc.js';
import { identityFrom } from './revert-info.js';
import { sendSignal } from './signals.js';
import type { ProcessTarget } from './types.js';

const params = z.strictObject({});
export type PauseParams = z.output<typeof params>;

export const pauseFault: FaultKind<PauseParams, ProcessTarget> = {
  name: 'pause',
  driver: 'process',
  summary: 'Freeze the process (SIGSTOP) while the step lasts, then resume it (SIGCONT)',
  timing: 'held',
  revertSummary: 'SIGCONT to the same process (start time checked), at the end of the duration or on abort',
  params,
  plan: (target) => ({ pid: target.pid, startTicks: target.startTicks }),
  async inject(target) {
    if (!sameProcess(target.pid, target.startTicks) || !sendSignal(target.pid, 'SIGSTOP')) {
      throw new TargetError(`${target.label} is no longer running`, target.service);
    }
    return { details: { pid: target.pid } };
  },
  async revert(info) {
    const { pid, startTicks } = identityFrom(info, 'pause');
    // Only the process we stopped: a recycled pid belongs to someone else. Gone means nothing to undo.
    if (sameProcess(pid, startTicks)) sendSignal(pid, 'SIGCONT');
  },
};
