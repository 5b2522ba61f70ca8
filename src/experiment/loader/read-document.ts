/**
 * Reads a YAML, JSON or TypeScript/JavaScript file into plain data, keeping a way back from a
 * path in the data to the line and column it came from, so every error can point at the text.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LineCounter, isMap, isPair, isScalar, parseDocument, visit, type Document } from 'yaml';
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
/** Experiment and system files are a few kB; anything this big is a mistake, and parsing it would take minutes and gigabytes. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

export async function readStructured(file: string, cwd = process.cwd()): Promise<StructuredDocument> {
  const absPath = resolve(cwd, file);
  const ext = extname(absPath).toLowerCase();
  if (CODE_EXTENSIONS.has(ext)) return readCode(file, absPath);
  if (!DATA_EXTENSIONS.has(ext)) {
    throw new ValidationError([{ file, path: '', message: `expected a .yaml, .yml, .json, .ts or .js file, got "${ext || 'no extension'}"` }]);
  }
  let text: string;
  try {
    const size = (await stat(absPath)).size;
    if (size > MAX_FILE_BYTES) {
      throw new ValidationError([{ file, path: '', message: `file is ${(size / 1024 / 1024).toFixed(1)} MB; experiment and system files are read up to ${MAX_FILE_BYTES / 1024 / 1024} MB` }]);
    }
    text = await readFile(absPath, 'utf8');
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? `file not found (${absPath})` : `cannot read file: ${code ?? String(err)}`;
    throw new ValidationError([{ file, path: '', message }]);
  }
  return parseText(file, absPath, text);
}

export function parseText(file: string, absPath: string, text: string): StructuredDocument {
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    const before = text.slice(0, nul);
    const line = before.split('\n').length;
    const column = nul - before.lastIndexOf('\n');
    throw new ValidationError([{ file, path: '', line, column, message: 'not a text file (it contains a NUL byte): expected YAML or JSON' }]);
  }
  const lineCounter = new LineCounter();
  // The parser's own limits (nesting deep enough to exhaust the stack, an alias bomb past
  // maxAliasCount) surface as exceptions, not as doc.errors: they are bad input like any other.
  let doc: Document;
  let data: unknown;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  } catch (err) {
    throw new ValidationError([{ file, path: '', message: limitMessage(err) }]);
  }
  if (doc.errors.length > 0) {
    throw new ValidationError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { file, path: '', line: pos.line, column: pos.col, message: syntaxMessage(e.code, e.message) };
      }),
    );
  }
  try {
    data = doc.toJS();
  } catch (err) {
    const at = firstAlias(doc);
    const pos = at === undefined ? undefined : lineCounter.linePos(at);
    throw new ValidationError([{ file, path: '', ...(pos ? { line: pos.line, column: pos.col } : {}), message: limitMessage(err) }]);
  }
  const locate = locatorFor(doc, lineCounter);
  const proto = protoKeyPath(data);
  if (proto) {
    const pos = locate(proto.slice(0, -1), '__proto__');
    throw new ValidationError([{ file, path: formatDocPath(proto), ...(pos ? { line: pos.line, column: pos.column } : {}), message: 'a key named "__proto__" is not allowed (it would replace the object\'s prototype, not name a field)' }]);
  }
  return { file, absPath, data, locate };
}

/** The path of the first `__proto__` key in parsed data (YAML keeps it as an own key; a schema's record would turn it into a prototype). */
function protoKeyPath(data: unknown): DocPath | undefined {
  const stack: [unknown, DocPath][] = [[data, []]];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push([v, [...path, i]]));
      continue;
    }
    for (const key of Object.keys(value)) {
      if (key === '__proto__') return [...path, key];
      stack.push([(value as Record<string, unknown>)[key], [...path, key]]);
    }
  }
  return undefined;
}

function formatDocPath(path: DocPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out;
}

function limitMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/alias count/i.test(message)) return 'aliases (*name) expand to too much data (the YAML parser refuses it as a resource exhaustion attack): write the values out, or use fewer aliases';
  if (err instanceof RangeError) return 'nested too deeply for the parser: expected a document a few levels deep';
  return `cannot parse: ${message.split('\n')[0]}`;
}

/** Offset of the first alias, where an alias bomb starts. */
function firstAlias(doc: Document): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

function syntaxMessage(code: string, message: string): string {
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  if (/call stack/i.test(first)) return 'nested too deeply for the parser: expected a document a few levels deep';
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
