/**
 * The facilitator's console: one line per command from the keyboard. `n`/`next`, `s`/`skip`,
 * `p`/`pause`, `r`/`resume`, `status`; `abort` only spelled out (a stray `a` must not end the day);
 * `note TEXT`, or any other line, is a note.
 */
import { createInterface } from 'node:readline';
import type { Command, CommandName, Reply } from './control.js';

const SHORT: Record<string, CommandName> = { n: 'next', next: 'next', s: 'skip', skip: 'skip', p: 'pause', pause: 'pause', r: 'resume', resume: 'resume', status: 'status', '?': 'status', abort: 'abort' };

export function parseConsoleLine(line: string, by: string | undefined): Command | undefined {
  const text = line.trim();
  if (!text) return undefined;
  const [word, ...rest] = text.split(/\s+/);
  const name = SHORT[word!.toLowerCase()];
  if (name && rest.length === 0) return { name, from: 'console', ...(by ? { by } : {}) };
  const note = word!.toLowerCase() === 'note' ? rest.join(' ') : text;
  return { name: 'note', text: note, from: 'console', ...(by ? { by } : {}) };
}

export function startKeyboard(input: NodeJS.ReadableStream, by: string | undefined, handle: (c: Command) => Reply, print: (text: string) => void): () => void {
  const rl = createInterface({ input, terminal: false });
  rl.on('line', (line) => {
    const c = parseConsoleLine(line, by);
    if (!c) return;
    const reply = handle(c);
    if (!reply.ok || c.name === 'status') print(`${reply.ok ? '' : 'refused: '}${reply.message}`);
  });
  return () => rl.close();
}
