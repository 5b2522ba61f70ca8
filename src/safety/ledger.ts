/**
 * The write-ahead log of faults: `<stateDir>/ledger.jsonl`. An `intent` (with the plain-JSON
 * undo) is on disk before a fault is applied, so `faultline recover` can undo anything a crashed
 * run left behind. Several processes may append at once (a run, `recover`, `stop`): each line is
 * a single O_APPEND write followed by fsync, and within a process appends go one at a time.
 */
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { FaultlineError } from '../errors/index.js';
import { parseLedgerLine } from './ledger-entries.js';
import type { AppliedEntry, IntentEntry, LedgerEntry, RevertFailedEntry, RevertedEntry } from './ledger-entries.js';

export type Input<E extends LedgerEntry> = Omit<E, 'type' | 'at'>;

export function ledgerPath(stateDir: string): string {
  return join(stateDir, 'ledger.jsonl');
}

export class Ledger {
  // Appends are chained so two lines from this process never race for the file.
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly file: FileHandle,
  ) {}

  /** Opens (creating if needed) the ledger for appending. Rejects with E_LEDGER if it cannot. */
  static async open(stateDir: string): Promise<Ledger> {
    const path = ledgerPath(stateDir);
    let file: FileHandle | undefined;
    try {
      await mkdir(stateDir, { recursive: true });
      const existed = await stat(path).then(
        () => true,
        () => false,
      );
      file = await open(path, 'a');
      const ledger = new Ledger(path, file);
      if (!existed) await syncDir(stateDir);
      // A crash mid-write leaves a line without its newline; start ours on a fresh line so the
      // torn fragment stays a (skipped) line of its own instead of swallowing our first entry.
      else if (!(await endsWithNewline(path))) await ledger.write(Buffer.from('\n'));
      return ledger;
    } catch (err) {
      await file?.close();
      throw ledgerError(path, err);
    }
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

  /** Waits for pending appends, then closes the file. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    await this.file.close();
  }

  /** Resolves once the line is fsync'd; rejects (E_LEDGER) if it could not be made durable. */
  private append(entry: LedgerEntry): Promise<void> {
    if (this.closed) return Promise.reject(ledgerError(this.path, new Error('the ledger is closed')));
    const line = Buffer.from(`${JSON.stringify(entry)}\n`);
    const done = this.tail.then(() => this.write(line)).catch((err: unknown) => {
      throw ledgerError(this.path, err);
    });
    this.tail = done.catch(() => undefined);
    return done;
  }

  private async write(bytes: Buffer): Promise<void> {
    // One write(2) in practice; the loop only matters if the kernel ever writes short.
    for (let offset = 0; offset < bytes.length; ) {
      const { bytesWritten } = await this.file.write(bytes, offset);
      offset += bytesWritten;
    }
    await this.file.datasync();
  }
}

export interface SkippedLine {
  /** 1-based line number. */
  line: number;
  text: string;
}

/**
 * Every readable entry, in file order. A missing file is an empty ledger. Lines that do not parse
 * (a torn last line after a crash, or anything hand-edited) are skipped and passed to `onSkip`.
 */
export async function readLedger(path: string, onSkip?: (skipped: SkippedLine) => void): Promise<LedgerEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw ledgerError(path, err, 'read');
  }
  const entries: LedgerEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return;
    const entry = parseLedgerLine(raw);
    if (entry) entries.push(entry);
    else onSkip?.({ line: index + 1, text: raw });
  });
  return entries;
}

async function endsWithNewline(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    await file.read(last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    await file.close();
  }
}

// A new file's directory entry must be durable too, or a crash could lose the whole ledger.
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    await handle.sync().finally(() => handle.close());
  } catch {
    // Some platforms cannot fsync a directory; the file's own fsync is the best they offer.
  }
}

function ledgerError(path: string, cause: unknown, action: 'read' | 'write' = 'write'): FaultlineError {
  if (cause instanceof FaultlineError) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new FaultlineError('E_LEDGER', `cannot ${action} the fault ledger ${path}: ${reason}`, { cause });
}

function now(): string {
  return new Date().toISOString();
}
