/**
 * The run history: `<state dir>/history/runs.jsonl`, one JSON line per run, appended (O_APPEND, one
 * write per line, fsync'd) so concurrent runs never interleave or truncate each other's lines.
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { HISTORY_VERSION, type HistoryEntry } from './entry.js';

export function historyPath(stateDir: string): string {
  return join(stateDir, 'history', 'runs.jsonl');
}

export async function appendHistory(stateDir: string, entry: HistoryEntry): Promise<string> {
  const path = historyPath(stateDir);
  await mkdir(dirname(path), { recursive: true });
  const file = await open(path, 'a');
  try {
    await file.write(`${JSON.stringify(entry)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  return path;
}

/** Every entry in the order written. Lines that are not a history entry (a torn write, another version) are skipped and counted. */
export async function readHistory(stateDir: string): Promise<{ entries: HistoryEntry[]; skipped: number }> {
  let text: string;
  try {
    text = await readFile(historyPath(stateDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], skipped: 0 };
    throw err;
  }
  const entries: HistoryEntry[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as HistoryEntry;
      if (value?.v === HISTORY_VERSION && typeof value.key === 'string' && typeof value.runId === 'string') entries.push(value);
      else skipped++;
    } catch {
      skipped++;
    }
  }
  return { entries, skipped };
}

/** The latest entry of the same experiment (and target, when given) before `runId` (or the latest one, without it). */
export function previousRun(entries: readonly HistoryEntry[], key: string, runId?: string, target?: string): HistoryEntry | undefined {
  const same = entries.filter((e) => e.key === key && (target === undefined || e.target === target));
  const i = runId === undefined ? same.length : same.findIndex((e) => e.runId === runId);
  return same[(i === -1 ? same.length : i) - 1];
}
