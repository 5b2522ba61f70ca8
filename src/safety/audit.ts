/**
 * The audit trail: who ran what, when, and how it ended — every run, fault and abort, appended
 * to `<state dir>/audit.jsonl`. `faultline audit` lists it.
 */
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import type { RunApproval } from '../journal/types.js';
import { readJsonLines } from '../util/json-lines.js';
import { appendDurable } from './durable.js';
import { ensureStateDir } from './state-dir.js';

export type AuditEvent = 'run-start' | 'run-end' | 'fault-injected' | 'fault-reverted' | 'fault-revert-failed' | 'abort' | 'reaper' | 'recover' | 'stop' | 'approve';

export interface AuditEntry {
  at: string;
  user: string;
  host: string;
  pid: number;
  event: AuditEvent;
  runId?: string;
  /** The experiment title, a fault (`pause on api (pid 42)`), … */
  what?: string;
  outcome?: string;
  detail?: string;
  /** run-start: the approval the run went ahead on; approve: the approval recorded (docs/approvals.md). */
  approval?: RunApproval;
}

export function auditPath(stateDir: string): string {
  return join(stateDir, 'audit.jsonl');
}

export async function appendAudit(stateDir: string, entry: Omit<AuditEntry, 'at' | 'user' | 'host' | 'pid'>): Promise<void> {
  const full: AuditEntry = { at: new Date().toISOString(), user: currentUser(), host: hostname(), pid: process.pid, ...entry };
  await ensureStateDir(stateDir);
  // fsync'd like the ledger: the audit trail is the record of what happened once the ledger is compacted.
  await appendDurable(auditPath(stateDir), `${JSON.stringify(full)}\n`);
}

export async function readAudit(stateDir: string): Promise<AuditEntry[]> {
  return (await readJsonLines(auditPath(stateDir))) as AuditEntry[];
}

export function currentUser(): string {
  try {
    return process.env.FAULTLINE_USER ?? userInfo().username;
  } catch {
    return 'unknown';
  }
}
