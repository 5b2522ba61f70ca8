import { readOptional } from './read-optional.js';

/**
 * An append-only JSON-lines file (the audit trail, approvals, a schedule's ticks): every line that
 * parses, oldest first; none when the file does not exist. A line that does not parse is a torn
 * write from a crash mid-append and is skipped. Other read errors are thrown.
 */
export async function readJsonLines(path: string): Promise<unknown[]> {
  const text = await readOptional(path);
  const out: unknown[] = [];
  for (const line of text?.split('\n') ?? []) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      /* torn line */
    }
  }
  return out;
}
