/** Reading a process identity back from a ledger entry, which is plain JSON of unknown age. */
import { z } from 'zod';
import { TargetError } from '../../errors/index.js';
import type { RevertInfo } from '../../faults/types.js';
import type { ProcessIdentity } from './types.js';

const identity = z.looseObject({ pid: z.number().int().positive(), startTicks: z.number().int().nonnegative() });

export function identityFrom(info: RevertInfo, fault: string): ProcessIdentity {
  const parsed = identity.safeParse(info);
  if (!parsed.success) throw new TargetError(`${fault}: revert info ${JSON.stringify(info)} has no valid pid and startTicks`);
  return { pid: parsed.data.pid, startTicks: parsed.data.startTicks };
}
