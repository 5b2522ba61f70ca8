/**
 * The write-ahead log of faults: `<stateDir>/ledger.jsonl`. An `intent` (with the plain-JSON
 * undo) is on disk before a fault is applied, so `faultline recover` can undo anything a crashed
 * run left behind.
 *
 * Every append holds the state directory's lock (state-lock.ts), opens the file by name, writes
 * one line and fsyncs it: lines never interleave, within a process they keep their order, and a
 * compaction (which replaces the file under the same lock) never loses a line. A line a crashed
 * writer left without its newline recorded nothing that took effect (a fault is applied only after
 * its intent is durable), so the next append cuts that torn tail off before writing.
 */
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FaultlineError } from '../errors/index.js';
import { writeFileAtomic } from './atomic-write.js';
import { syncDir } from './durable.js';
import { parseLedgerLine } from './ledger-entries.js';
import type { AppliedEntry, IntentEntry, LedgerEntry, RevertFailedEntry, RevertedEntry } from './ledger-entries.js';
import { openFaults } from './open-faults.js';
import { ensureStateDir } from './state-dir.js';
import { withStateLock } from './state-lock.js';

export type Input<E extends LedgerEntry> = Omit<E, 'type' | 'at'>;

export function ledgerPath(stateDir: string): string {
  return join(stateDir, 'ledger.jsonl');
}

export class Ledger {
  // Appends are chained so this process's lines keep their order.
  private tail: Promise<void> = Promise.resolve();
  private closed = false;
  readonly path: string;

  private constructor(readonly stateDir: string) {
    this.path = ledgerPath(stateDir);
  }

  /** Checks the ledger can be created and written (creating it if needed). Rejects with E_LEDGER if not. */
  static async open(stateDir: string): Promise<Ledger> {
    const path = ledgerPath(stateDir);
    try {
      await ensureStateDir(stateDir);
      const file = await open(path, 'a');
      await file.close();
      await syncDir(stateDir);
    } catch (err) {
      throw ledgerError(path, err);
    }
    return new Ledger(stateDir);
  }

  intent(entry: Input<IntentEntry>): Promise<void> {
    return this.append({ type: 'intent', at: now(), ...entry });
  }
  applied(entry: Input<AppliedEntry>): Promise<void> {
    return this.append({ type: 'applied', at: now(), ...entry });
  }
  reverted(entry: Input<RevertedEntry>): Promise<void> {
    return this.append({ type: 'reverted', at: now(), ...entry });
  }
  revertFailed(entry: Input<RevertFailedEntry>): Promise<void> {
    return this.append({ type: 'revert-failed', at: now(), ...entry });
  }

  /** Waits for pending appends; later appends are refused. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
  }

  /** Resolves once the line is fsync'd; rejects (E_LEDGER) if it could not be made durable. */
  private append(entry: LedgerEntry): Promise<void> {
    if (this.closed) return Promise.reject(ledgerError(this.path, new Error('the ledger is closed')));
    const line = `${JSON.stringify(entry)}\n`;
    const done = this.tail
      .then(() => withStateLock(this.stateDir, `ledger: ${entry.type} ${entry.faultId} of run ${entry.runId}`, () => appendLine(this.path, line)))
      .catch((err: unknown) => {
        throw ledgerError(this.path, err);
      });
    this.tail = done.catch(() => undefined);
    return done;
  }
}

/** Call with the state lock held. */
async function appendLine(path: string, line: string): Promise<void> {
  const file = await open(path, 'a+');
  try {
    const { size } = await file.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await file.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) await file.truncate(await torn(path));
    }
    await file.writeFile(line);
    await file.datasync();
  } finally {
    await file.close();
  }
}

/** Where a torn tail starts: just after the last complete line. */
async function torn(path: string): Promise<number> {
  const bytes = await readFile(path);
  return bytes.lastIndexOf(0x0a) + 1;
}

export interface SkippedLine {
  /** 1-based line number. */
  line: number;
  text: string;
  /** The last line, without its newline: a write cut short by a crash, which recorded nothing that took effect. */
  torn: boolean;
}

export interface LedgerContents {
  entries: LedgerEntry[];
  /** Complete lines that are not ledger entries: hand-edited or corrupted. What they held cannot be known. */
  unreadable: SkippedLine[];
  /** A torn last line, if any. */
  torn?: SkippedLine;
}

/** Every readable entry, every unreadable line, and a torn tail, in file order. A missing file is an empty ledger. */
export async function readLedgerContents(path: string): Promise<LedgerContents> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], unreadable: [] };
    throw ledgerError(path, err, 'read');
  }
  const contents: LedgerContents = { entries: [], unreadable: [] };
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    if (raw.trim() === '') return;
    const entry = parseLedgerLine(raw);
    if (entry) contents.entries.push(entry);
    else if (index === lines.length - 1) contents.torn = { line: index + 1, text: raw, torn: true };
    else contents.unreadable.push({ line: index + 1, text: raw, torn: false });
  });
  return contents;
}

/** Every readable entry, in file order. Lines that do not parse are skipped and passed to `onSkip`. */
export async function readLedger(path: string, onSkip?: (skipped: SkippedLine) => void): Promise<LedgerEntry[]> {
  const { entries, unreadable, torn } = await readLedgerContents(path);
  for (const s of [...unreadable, ...(torn ? [torn] : [])]) onSkip?.(s);
  return entries;
}

/**
 * Drops the lines of faults that are closed (reverted), keeping every line of a fault still open;
 * a torn tail goes. A ledger with a line nobody can read is left exactly as it is (what that line
 * held cannot be known, and its line number is how recover names it). The audit trail
 * (audit.jsonl) keeps the history. Returns how many lines were dropped.
 */
export async function compactLedger(stateDir: string): Promise<number> {
  const path = ledgerPath(stateDir);
  return withStateLock(stateDir, 'ledger compaction', async () => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw ledgerError(path, err, 'read');
    }
    const lines = text.split('\n');
    const entries = lines.map((raw) => (raw.trim() === '' ? undefined : parseLedgerLine(raw)));
    // A line nobody can read stays where it is, at the line number recover and run name, until someone looks at it.
    if (lines.some((raw, i) => raw.trim() !== '' && !entries[i] && i < lines.length - 1)) return 0;
    const open = new Set(openFaults(entries.filter((e) => e !== undefined)).map((f) => key(f)));
    const kept = lines.filter((raw, i) => {
      const entry = entries[i];
      return entry !== undefined && open.has(key(entry)); // blank lines and a torn tail go too
    });
    const dropped = lines.filter((raw) => raw.trim() !== '').length - kept.length;
    if (dropped > 0) await writeFileAtomic(path, kept.length ? `${kept.join('\n')}\n` : '');
    return dropped;
  });
}

function key(f: { runId: string; faultId: string }): string {
  return `${f.runId}\u0000${f.faultId}`;
}

function ledgerError(path: string, cause: unknown, action: 'read' | 'write' = 'write'): FaultlineError {
  if (cause instanceof FaultlineError && cause.code === 'E_LEDGER') return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new FaultlineError('E_LEDGER', `cannot ${action} the fault ledger ${path}: ${reason}`, { cause });
}

function now(): string {
  return new Date().toISOString();
}
