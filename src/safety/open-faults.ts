/** Which faults a ledger says may still be in effect. */
import type { RevertInfo } from '../faults/types.js';
import type { LedgerEntry } from './ledger-entries.js';

export interface OpenFault {
  runId: string;
  faultId: string;
  kind: string;
  driver: string;
  service: string;
  /** The target's human label. */
  target: string;
  revertInfo: RevertInfo;
  intentAt: string;
  /** False when the run stopped between `intent` and `applied`: the fault may or may not be in effect. */
  applied: boolean;
  /** The last `revert-failed` error, if a revert was tried and failed. */
  lastError?: string;
}

/**
 * Faults with an `intent` and no later `reverted`, newest intent first (undo last-in first-out).
 * An intent without `applied` counts: the crash may have come mid-inject, and revert is idempotent.
 */
export function openFaults(entries: readonly LedgerEntry[], runId?: string): OpenFault[] {
  const open = new Map<string, OpenFault>();
  for (const entry of entries) {
    if (runId !== undefined && entry.runId !== runId) continue;
    const key = `${entry.runId}\u0000${entry.faultId}`;
    const fault = open.get(key);
    switch (entry.type) {
      case 'intent': {
        const { runId: id, faultId, kind, driver, service, target, revertInfo, at } = entry;
        open.delete(key); // re-insert so Map order follows the latest intent
        open.set(key, { runId: id, faultId, kind, driver, service, target, revertInfo, intentAt: at, applied: false });
        break;
      }
      case 'applied':
        if (fault) fault.applied = true;
        break;
      case 'revert-failed':
        if (fault) fault.lastError = entry.error;
        break;
      case 'reverted':
        open.delete(key);
        break;
    }
  }
  return [...open.values()].reverse();
}
