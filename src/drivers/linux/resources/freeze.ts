/** `freeze`: freeze the service's processes through the cgroup freezer (invisible to them, unlike SIGSTOP), then thaw. */
import { z } from 'zod';
import { modeParam } from '../cgroup/plan.js';
import { cgroupFault } from './cgroup-fault.js';

const params = z.strictObject({ mode: modeParam });
export type FreezeParams = z.output<typeof params>;

export const freezeFault = cgroupFault({
  name: 'freeze',
  summary: 'Freeze the service\'s processes with the cgroup freezer (v1 freezer.state, v2 cgroup.freeze): they stop without being signalled',
  revertSummary: 'thaw, then (move) the processes back to their cgroups and faultline\'s cgroup removed',
  params,
  wants: () => ({ freeze: true }),
  describe: () => 'frozen',
});
