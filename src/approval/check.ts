/**
 * Does this run have the approval it needs? `approvalStatus` answers without throwing (the dry
 * run, the scheduler and `faultline approvals` report it); `requireApproval` is the gate every run
 * passes through (executeRun): no valid approval, no run — exit 2, nothing touched.
 *
 * A valid approval names this exact content (content-hash.ts) and has not expired. When there is
 * none, the refusal says why: never approved, approved but a file changed since (which approval,
 * by whom, when, which file), or expired (when).
 */
import type { LoadedExperiment } from '../experiment/loader/load-experiment.js';
import { ApprovalError } from '../errors/index.js';
import type { RunApproval } from '../journal/types.js';
import { approveCommand, shown } from './command.js';
import { contentHash, experimentIdentity, isCatalog, type ContentHash } from './content-hash.js';
import { approvalReasons } from './policy.js';
import { approvalsPath, readApprovals, type Approval } from './store.js';

export type ApprovalProblem = 'never-approved' | 'changed' | 'expired' | 'unreadable';

export type ApprovalStatus =
  | { required: false }
  | {
      required: true;
      /** Which file says so: `faultline.yaml says environment: production`, … */
      why: string;
      /** The command that approves this content. */
      command: string;
      /** The valid approval, when there is one (then `problem` is absent). */
      approval?: Approval;
      /** Why there is no valid approval, in a sentence. */
      problem?: string;
      problemKind?: ApprovalProblem;
      /** The approval the problem is about (the expired one, or the one given before the files changed). */
      stale?: Approval;
    };

export async function approvalStatus(loaded: LoadedExperiment, stateDir: string, now: Date = new Date()): Promise<ApprovalStatus> {
  const reasons = approvalReasons(loaded);
  if (reasons.length === 0) return { required: false };
  const base = { required: true as const, why: reasons.join(' and '), command: approveCommand(loaded, stateDir) };
  let content: ContentHash;
  let approvals: Approval[];
  try {
    content = await contentHash(loaded);
  } catch (err) {
    return { ...base, problemKind: 'unreadable', problem: `its files cannot be read to check the approval: ${(err as Error).message}` };
  }
  try {
    approvals = await readApprovals(stateDir);
  } catch (err) {
    return { ...base, problemKind: 'unreadable', problem: `the approvals cannot be read (${approvalsPath(stateDir)}): ${(err as Error).message}` };
  }
  const latestFirst = [...approvals].reverse();
  const sameContent = latestFirst.filter((a) => a.hash === content.hash);
  const valid = sameContent.find((a) => Date.parse(a.expiresAt) > now.getTime());
  if (valid) return { ...base, approval: valid };
  const expired = sameContent[0];
  if (expired) return { ...base, problemKind: 'expired', stale: expired, problem: `its approval by ${expired.by} (${when(expired.at)}) expired ${when(expired.expiresAt)}` };
  const identity = experimentIdentity(loaded);
  const before = latestFirst.find((a) => a.experimentFile === identity);
  if (before) return { ...base, problemKind: 'changed', stale: before, problem: changedSince(before, loaded, content) };
  return { ...base, problemKind: 'never-approved', problem: 'it has never been approved' };
}

/** The valid approval (undefined when none is needed); an ApprovalError saying why and how to approve when there is none. */
export async function requireApproval(loaded: LoadedExperiment, stateDir: string, now: Date = new Date()): Promise<Approval | undefined> {
  const status = await approvalStatus(loaded, stateDir, now);
  if (!status.required) return undefined;
  if (status.approval) return status.approval;
  throw new ApprovalError(`${loaded.file} needs an approval to run (${status.why}), and ${status.problem}. Nothing was touched. Approve this content with:\n  ${status.command}`, loaded.file);
}

/** What the journal and the audit trail record of the approval a run went ahead on. */
export function runApproval(a: Approval): RunApproval {
  return { by: a.by, at: a.at, expiresAt: a.expiresAt, hash: a.hash, ...(a.reason !== undefined ? { reason: a.reason } : {}) };
}

function changedSince(a: Approval, loaded: LoadedExperiment, now: ContentHash): string {
  const given = `approval ${a.id} by ${a.by} (${when(a.at)})`;
  const changed: string[] = [];
  if (a.parts?.experiment !== now.experiment) changed.push(isCatalog(loaded) ? `the rendered ${loaded.file} (other --target/--set values, or another faultline version's template)` : loaded.file);
  if (a.systemFile !== loaded.system.absPath) changed.push(`the system (approved with ${a.systemFile}, now ${loaded.system.absPath})`);
  else if (a.parts?.system !== now.system) changed.push(`the system file ${shown(loaded.system.absPath)}`);
  return `${changed.join(' and ') || 'its content'} changed since ${given}`;
}

function when(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}
