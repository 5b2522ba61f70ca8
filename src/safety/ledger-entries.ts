/**
 * The ledger's line format. Every line is one JSON object; `type` says what happened to a fault.
 * Parsing is strict about shape so a half-written or hand-edited line is skipped, never half-used.
 */
import { z } from 'zod';
import type { JsonValue, RevertInfo } from '../faults/types.js';

export type RevertedBy = 'run' | 'recover' | 'stop' | 'reaper';

const base = { at: z.string(), runId: z.string().min(1), faultId: z.string().min(1) };
const jsonObject = z.record(z.string(), z.unknown());

const entrySchema = z.discriminatedUnion('type', [
  z.object({
    ...base,
    type: z.literal('intent'),
    kind: z.string().min(1),
    driver: z.string(),
    service: z.string(),
    target: z.string(),
    revertInfo: jsonObject,
  }),
  z.object({ ...base, type: z.literal('applied'), details: jsonObject.optional() }),
  z.object({ ...base, type: z.literal('reverted'), by: z.enum(['run', 'recover', 'stop', 'reaper']), reason: z.string().optional() }),
  z.object({ ...base, type: z.literal('revert-failed'), error: z.string() }),
]);

interface EntryBase {
  /** ISO time the line was written. */
  at: string;
  runId: string;
  faultId: string;
}

export interface IntentEntry extends EntryBase {
  type: 'intent';
  kind: string;
  driver: string;
  service: string;
  /** The target's human label, e.g. `api (pid 4242)`. */
  target: string;
  revertInfo: RevertInfo;
}
export interface AppliedEntry extends EntryBase {
  type: 'applied';
  details?: { [key: string]: JsonValue };
}
export interface RevertedEntry extends EntryBase {
  type: 'reverted';
  by: RevertedBy;
  /** Why someone other than the run reverted it (e.g. the reaper killed a run silent past its deadline). */
  reason?: string;
}
export interface RevertFailedEntry extends EntryBase {
  type: 'revert-failed';
  error: string;
}
export type LedgerEntry = IntentEntry | AppliedEntry | RevertedEntry | RevertFailedEntry;

/** One line back into an entry, or undefined when it is not valid JSON or not a ledger entry. */
export function parseLedgerLine(line: string): LedgerEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = entrySchema.safeParse(value);
  // The values came from JSON.parse, so the unknowns inside are JSON values.
  return parsed.success ? (parsed.data as LedgerEntry) : undefined;
}
