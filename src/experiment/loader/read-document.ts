/**
 * Reads a YAML, JSON or TypeScript/JavaScript file into plain data, keeping a way back from a
 * path in the data to the line and column it came from, so every error can point at the text.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LineCounter, isMap, isPair, isScalar, parseDocument, type Document } from 'yaml';
import { ValidationError } from '../../errors/index.js';

export type DocPath = (string | number)[];

export interface StructuredDocument {
  /** The file as the user named it (used in messages). */
  file: string;
  /** Absolute path. */
  absPath: string;
  data: unknown;
  /** Line/column (1-based) of the value at `path`, or of the key when `key` is set; undefined when unknown (code files). */
  locate(path: DocPath, key?: string): { line: number; column: number } | undefined;
}

const CODE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);
const DATA_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export async function readStructured(file: string, cwd = process.cwd()): Promise<StructuredDocument> {
  const absPath = resolve(cwd, file);
  const ext = extname(absPath).toLowerCase();
  if (CODE_EXTENSIONS.has(ext)) return readCode(file, absPath);
  if (!DATA_EXTENSIONS.has(ext)) {
    throw new ValidationError([{ file, path: '', message: `expected a .yaml, .yml, .json, .ts or .js file, got "${ext || 'no extension'}"` }]);
  }
  let text: string;
  try {
    text = await readFile(absPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? `file not found (${absPath})` : `cannot read file: ${code ?? String(err)}`;
    throw new ValidationError([{ file, path: '', message }]);
  }
  return parseText(file, absPath, text);
}

export function parseText(file: string, absPath: string, text: string): StructuredDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ValidationError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { file, path: '', line: pos.line, column: pos.col, message: syntaxMessage(e.code, e.message) };
      }),
    );
  }
  const data: unknown = doc.toJS();
  return {
    file,
    absPath,
    data,
    locate: locatorFor(doc, lineCounter),
  };
}

function syntaxMessage(code: string, message: string): string {
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return code === 'DUPLICATE_KEY' ? `duplicate name: ${first}` : `syntax error: ${first}`;
}

/** Line and column of a path in a parsed YAML document (its deepest existing node), for error messages. */
export function locatorFor(doc: Document, lineCounter: LineCounter): StructuredDocument['locate'] {
  return (path, key) => {
    const offset = offsetOf(doc, path, key);
    if (offset === undefined) return undefined;
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
}

/** Offset of the deepest node that exists along `path` (so a missing field points at its parent). */
function offsetOf(doc: Document, path: DocPath, key?: string): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (!node || typeof node !== 'object') continue;
    if (depth === path.length && key !== undefined && isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
      const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
      if (range) return range[0];
    }
    const range = (node as { range?: [number, number, number] }).range;
    if (range) return range[0];
  }
  return undefined;
}

async function readCode(file: string, absPath: string): Promise<StructuredDocument> {
  let mod: { default?: unknown };
  try {
    // tsx compiles TypeScript on the fly; plain .js/.mjs load the same way.
    const { tsImport } = await import('tsx/esm/api');
    mod = (await tsImport(pathToFileURL(absPath).href, import.meta.url)) as { default?: unknown };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'ERR_MODULE_NOT_FOUND' && String(err).includes(absPath) ? `file not found (${absPath})` : `cannot load module: ${(err as Error).message.split('\n')[0]}`;
    throw new ValidationError([{ file, path: '', message }]);
  }
  const data = (mod.default as { default?: unknown } | undefined)?.default ?? mod.default;
  if (data === undefined) {
    throw new ValidationError([{ file, path: '', message: 'expected a default export (export default defineExperiment({ ... }))' }]);
  }
  return { file, absPath, data, locate: () => undefined };
}
