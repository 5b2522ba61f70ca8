/**
 * The approvals: `<state dir>/approvals.jsonl`, one JSON record per line, appended and fsync'd
 * like the audit trail. Nothing rewrites or deletes a line: an approval ends by expiring, or by
 * the files changing so that its hash no longer matches.
 */
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { currentUser } from '../safety/audit.js';
import { appendDurable, syncDir } from '../safety/durable.js';
import { ensureStateDir } from '../safety/state-dir.js';
import { readJsonLines } from '../util/json-lines.js';

export interface Approval {
  id: string;
  /** When it was recorded (ISO). */
  at: string;
  /** The person who approved (`--by`): their word, not the account that typed it. */
  by: string;
  expiresAt: string;
  /** sha256 of the resolved experiment and system (content-hash.ts). */
  hash: string;
  /** The two halves of `hash`, so a refusal can say which file changed. */
  parts: { experiment: string; system: string };
  title: string;
  /** Absolute path, or `catalog:<name>`. */
  experimentFile: string;
  /** Absolute path. */
  systemFile: string;
  /** Catalog templates: --target and --set as given, to render it again the same way. */
  catalogArgs?: { target?: string; set: string[] };
  reason?: string;
  /** `user@host` of the account that recorded it. */
  recordedBy: string;
}

export function approvalsPath(stateDir: string): string {
  return join(stateDir, 'approvals.jsonl');
}

export function newApprovalId(): string {
  return randomBytes(4).toString('hex');
}

export async function appendApproval(stateDir: string, approval: Omit<Approval, 'recordedBy'>): Promise<Approval> {
  const full: Approval = { ...approval, recordedBy: `${currentUser()}@${hostname()}` };
  await ensureStateDir(stateDir);
  const path = approvalsPath(stateDir);
  const created = !(await stat(path).then(() => true, () => false));
  await appendDurable(path, `${JSON.stringify(full)}\n`);
  // A new file's name lives in the directory: make it durable too, or the approval can vanish.
  if (created) await syncDir(stateDir);
  return full;
}

/** Every approval recorded, oldest first; none when the file does not exist. Other read errors throw. */
export async function readApprovals(stateDir: string): Promise<Approval[]> {
  return (await readJsonLines(approvalsPath(stateDir))).filter((r): r is Approval => isApproval(r as Partial<Approval>));
}

function isApproval(r: Partial<Approval>): r is Approval {
  return typeof r.hash === 'string' && typeof r.by === 'string' && typeof r.at === 'string' && typeof r.expiresAt === 'string' && typeof r.experimentFile === 'string' && typeof r.systemFile === 'string';
}
