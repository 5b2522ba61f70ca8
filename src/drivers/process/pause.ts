/** `pause`: freeze the process (or its whole tree) with SIGSTOP for the step's duration, then SIGCONT. */
import { z } from 'zod';
import { TargetError } from '../../errors/index.js';
import type { FaultKind } from '../../faults/types.js';
import { sameProcess } from '../../util/proc.js';
import { identityFrom } from './revert-info.js';
import { sendSignal } from './signals.js';
import { continueTree, stopTree } from './tree.js';
import type { ProcessTarget } from './types.js';

const params = z.strictObject({
  tree: z
    .boolean()
    .optional()
    .describe('Default false. Also freeze every descendant of the process (found through /proc, not the process group: a server such as PostgreSQL puts each child in its own session, and a paused postmaster alone freezes nothing)'),
});
export type PauseParams = z.output<typeof params>;

export const pauseFault: FaultKind<PauseParams, ProcessTarget> = {
  name: 'pause',
  driver: 'process',
  summary: 'Freeze the process (SIGSTOP), or with `tree: true` the process and all its descendants, while the step lasts, then resume it (SIGCONT)',
  timing: 'held',
  revertSummary: 'SIGCONT to the same process (start time checked) — and with `tree`, to its descendants first — at the end of the duration or on abort',
  params,
  plan: (target, p) => ({ pid: target.pid, startTicks: target.startTicks, ...(p.tree ? { tree: true } : {}) }),
  async inject(target, p) {
    const stopped = !sameProcess(target.pid, target.startTicks) ? 0 : p.tree ? stopTree(target.pid) : Number(sendSignal(target.pid, 'SIGSTOP'));
    if (stopped === 0) throw new TargetError(`${target.label} is no longer running`, target.service);
    return { details: { pid: target.pid, ...(p.tree ? { processes: stopped } : {}) } };
  },
  async revert(info) {
    const { pid, startTicks } = identityFrom(info, 'pause');
    // Only the process we stopped: a recycled pid belongs to someone else. Gone means nothing to
    // undo — except for a tree whose root was killed while frozen: its children, now the init's,
    // can no longer be found from it (documented in docs/faults.md).
    if (!sameProcess(pid, startTicks)) return;
    if (info.tree === true) continueTree(pid);
    else sendSignal(pid, 'SIGCONT');
  },
};
