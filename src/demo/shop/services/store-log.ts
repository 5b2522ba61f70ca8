/**
 * The store's data on disk: one append-only file of JSON lines (`shop.jsonl` in the data dir),
 * replayed into memory at start. A line is a put (`{"c":"carts","k":"ann","v":{…}}`) or a delete
 * (`{"c":"carts","k":"ann","d":1}`). A torn last line (a kill mid-write) is skipped. When the file
 * holds many more lines than live records it is compacted at start (written aside, then renamed).
 * Writes are not fsync'd: they survive a killed process (the kernel has them), not a power cut.
 */
import { accessSync, closeSync, constants, existsSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const COLLECTIONS = ['products', 'carts', 'orders'] as const;
export type Collection = (typeof COLLECTIONS)[number];

interface Line {
  c: Collection;
  k: string;
  v?: unknown;
  d?: 1;
}

const COMPACT_MIN_LINES = 5000;

export class StoreLog {
  readonly file: string;
  readonly #data = new Map<Collection, Map<string, unknown>>(COLLECTIONS.map((c) => [c, new Map()]));
  #fd: number;

  constructor(readonly dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, 'shop.jsonl');
    const lines = this.#replay();
    if (lines >= COMPACT_MIN_LINES && lines > 2 * this.#liveCount()) this.#compact();
    this.#fd = openSync(this.file, 'a');
  }

  get(c: Collection, key: string): unknown {
    return this.#data.get(c)!.get(key);
  }

  list(c: Collection): unknown[] {
    return [...this.#data.get(c)!.values()];
  }

  put(c: Collection, key: string, value: unknown): void {
    this.#append({ c, k: key, v: value });
    this.#data.get(c)!.set(key, value);
  }

  delete(c: Collection, key: string): void {
    if (!this.#data.get(c)!.has(key)) return;
    this.#append({ c, k: key, d: 1 });
    this.#data.get(c)!.delete(key);
  }

  /** Whether the store can serve: its data dir is there and writable, and its file is still the one it writes. */
  check(): { ok: boolean; problem?: string } {
    try {
      accessSync(this.dataDir, constants.R_OK | constants.W_OK);
      const onDisk = statSync(this.file);
      const open = fstatSync(this.#fd);
      if (onDisk.ino !== open.ino) return { ok: false, problem: `${this.file} was replaced under the store` };
      return { ok: true };
    } catch (err) {
      return { ok: false, problem: err instanceof Error ? err.message : String(err) };
    }
  }

  close(): void {
    closeSync(this.#fd);
  }

  #append(line: Line): void {
    writeSync(this.#fd, JSON.stringify(line) + '\n');
  }

  #replay(): number {
    if (!existsSync(this.file)) return 0;
    const text = readFileSync(this.file, 'utf8');
    let count = 0;
    for (const raw of text.split('\n')) {
      if (!raw) continue;
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch {
        continue; // a torn line from a kill mid-write
      }
      const coll = this.#data.get(line.c);
      if (!coll || typeof line.k !== 'string') continue;
      if (line.d) coll.delete(line.k);
      else coll.set(line.k, line.v);
      count++;
    }
    return count;
  }

  #liveCount(): number {
    let n = 0;
    for (const coll of this.#data.values()) n += coll.size;
    return n;
  }

  #compact(): void {
    const lines: string[] = [];
    for (const [c, coll] of this.#data) for (const [k, v] of coll) lines.push(JSON.stringify({ c, k, v }));
    const tmp = `${this.file}.compact`;
    writeFileSync(tmp, lines.join('\n') + (lines.length ? '\n' : ''));
    renameSync(tmp, this.file);
  }
}
