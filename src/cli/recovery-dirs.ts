/**
 * Which state directories `recover` and `stop` act on: the one named (`--state-dir` or
 * $FAULTLINE_STATE_DIR), else ./.faultline plus every directory in the per-user index that still
 * holds open faults or runs — so a recover typed in another directory does not say "nothing to
 * recover" while a fault is in effect.
 */
import { resolve } from 'node:path';
import { resolveStateDir, STATE_DIR_ENV } from '../safety/state-dir.js';
import { indexedStateDirs, type StateDirStatus } from '../safety/state-dir-index.js';

export async function recoveryStateDirs(flag: string | undefined, announce: (status: StateDirStatus) => void): Promise<string[]> {
  const named = flag !== undefined || (process.env[STATE_DIR_ENV]?.trim() ?? '') !== '';
  const here = resolveStateDir(flag);
  if (named) return [here];
  const dirs = [here];
  for (const status of await indexedStateDirs()) {
    if (resolve(status.stateDir) === here) continue;
    announce(status);
    dirs.push(status.stateDir);
  }
  return dirs;
}

export function describeStatus(s: StateDirStatus): string {
  const parts = [
    s.openFaults ? `${s.openFaults} open fault(s)` : '',
    s.runs ? `${s.runs} registered run(s)` : '',
    s.unreadableLines ? `${s.unreadableLines} unreadable ledger line(s)` : '',
  ].filter(Boolean);
  return `${parts.join(', ')} in ${s.stateDir}`;
}
