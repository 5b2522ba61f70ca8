/**
 * Reads a Compose file as YAML (merge keys allowed, as Compose allows them), keeping a way back
 * from a path in the data to its line, so every problem can point at the text.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ValidationError } from '../errors/index.js';
import { locatorFor, type StructuredDocument } from '../experiment/loader/read-document.js';

export interface ComposeDocument extends StructuredDocument {
  /** The compose file's directory: the project directory, where `.env` is read from. */
  dir: string;
}

export async function readComposeFile(file: string, cwd = process.cwd()): Promise<ComposeDocument> {
  const absPath = resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(absPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT' ? `compose file not found (${absPath})` : code === 'EISDIR' ? `expected a compose file, got a directory (${absPath})` : `cannot read compose file: ${code ?? String(err)}`;
    throw new ValidationError([{ file, path: '', message }]);
  }
  return parseCompose(file, absPath, text);
}

export function parseCompose(file: string, absPath: string, text: string): ComposeDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) {
    throw new ValidationError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        const first = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return { file, path: '', line: pos.line, column: pos.col, message: `${e.code === 'DUPLICATE_KEY' ? 'duplicate key' : 'YAML syntax error'}: ${first}` };
      }),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    throw new ValidationError([{ file, path: '', message: `cannot read the YAML: ${(err as Error).message}` }]);
  }
  return {
    file,
    absPath,
    dir: dirname(absPath),
    data,
    locate: locatorFor(doc, lineCounter),
  };
}

