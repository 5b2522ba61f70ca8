/** `restart`: stop the process and start it again — through its supervisor when it has one. */
import { z } from 'zod';
import type { FaultKind } from '../../faults/types.js';
import { duration } from '../../util/duration-schema.js';
import { respawnProcess } from './respawn.js';
import { signalParam } from './signals.js';
import type { ProcessTarget } from './types.js';

const timeout = duration.default(5000);

const params = z.strictObject({
  signal: signalParam('SIGTERM').describe('Signal that asks the process to stop'),
  timeout: timeout.describe('How long to wait for it to exit before SIGKILL'),
});
export type RestartParams = z.output<typeof params>;

export const restartFault: FaultKind<RestartParams, ProcessTarget> = {
  name: 'restart',
  driver: 'process',
  summary: 'Stop the process (signal, then SIGKILL after a timeout) and start it again',
  timing: 'instant',
  revertSummary: 'nothing to undo: the process runs again when the restart returns',
  params,
  plan: (target) => ({ pid: target.pid, startTicks: target.startTicks }),
  async inject(target, p) {
    // A supervised service is restarted by its owner (which applies its own stopSignal and
    // stopTimeout), so it keeps tracking the new pid; anything else is respawned by hand.
    const { pid } = target.controller ? await target.controller.restart(target.service) : await respawnProcess(target, p);
    return { details: { oldPid: target.pid, newPid: pid } };
  },
  // Nothing to undo: the process is running again when inject returns.
  async revert() {},
};
