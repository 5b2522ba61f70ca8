/**
 * `faultline approvals`: every approval recorded, with what it is worth now — valid, expired, or
 * given for content the files no longer have. The files are loaded again (as `faultline run`
 * would, from the paths and catalog parameters the approval kept) and hashed.
 */
import { loadExperimentOrCatalog } from '../catalog/resolve.js';
import type { FaultKind } from '../faults/types.js';
import { contentHash } from './content-hash.js';
import { readApprovals, type Approval } from './store.js';

export type ApprovalState = 'valid' | 'expired' | 'changed' | 'unresolved';

export interface ListedApproval {
  approval: Approval;
  state: ApprovalState;
  /** For `changed`: which file; for `unresolved`: why the files could not be loaded. */
  detail?: string;
}

export async function listApprovals(stateDir: string, kinds: Record<string, FaultKind>, now: Date = new Date()): Promise<ListedApproval[]> {
  const approvals = await readApprovals(stateDir);
  // Many approvals name the same files: load each combination once.
  const current = new Map<string, Promise<{ hash: string; experiment: string; system: string } | { error: string }>>();
  const out: ListedApproval[] = [];
  for (const approval of approvals) {
    const key = JSON.stringify([approval.experimentFile, approval.systemFile, approval.catalogArgs ?? {}]);
    if (!current.has(key)) current.set(key, hashNow(approval, kinds));
    const now_ = await current.get(key)!;
    if ('error' in now_) out.push({ approval, state: 'unresolved', detail: now_.error });
    else if (now_.hash !== approval.hash) out.push({ approval, state: 'changed', detail: whichChanged(approval, now_) });
    else if (Date.parse(approval.expiresAt) <= now.getTime()) out.push({ approval, state: 'expired' });
    else out.push({ approval, state: 'valid' });
  }
  return out;
}

async function hashNow(a: Approval, kinds: Record<string, FaultKind>) {
  try {
    const args = a.catalogArgs;
    const loaded = await loadExperimentOrCatalog(a.experimentFile, { systemFile: a.systemFile, ...(args?.target !== undefined ? { target: args.target } : {}), ...(args?.set.length ? { set: args.set } : {}), kinds });
    return await contentHash(loaded);
  } catch (err) {
    return { error: (err as Error).message.split('\n')[0]! };
  }
}

function whichChanged(a: Approval, now: { experiment: string; system: string }): string {
  const files = [...(a.parts?.experiment !== now.experiment ? [a.experimentFile] : []), ...(a.parts?.system !== now.system ? [a.systemFile] : [])];
  return `changed since: ${files.join(' and ') || 'the content'}`;
}
