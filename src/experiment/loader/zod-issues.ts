/** Turns zod's issues into faultline's ValidationIssues: file, path, line and a message that says what was expected. */
import type { z } from 'zod';
import type { ValidationIssue } from '../../errors/index.js';
import type { DocPath, StructuredDocument } from './read-document.js';

export function formatPath(path: DocPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out;
}

export function issueAt(doc: StructuredDocument, path: DocPath, message: string, key?: string): ValidationIssue {
  const pos = doc.locate(path, key);
  const fullPath = key !== undefined ? [...path, key] : path;
  return { file: doc.file, path: formatPath(fullPath), ...(pos ? { line: pos.line, column: pos.column } : {}), message };
}

export function fromZod(doc: StructuredDocument, error: z.ZodError, prefix: DocPath = []): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...(issue.path as DocPath)];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push(issueAt(doc, path, `unknown field "${key}"`, key));
      continue;
    }
    out.push(issueAt(doc, path, describe(issue)));
  }
  return out;
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    return issue.input === undefined ? `missing required field (expected ${issue.expected})` : `expected ${issue.expected}, got ${typeOf(issue.input)}`;
  }
  if (issue.code === 'invalid_union') {
    return issue.input === undefined ? 'missing required field (see `faultline schema` for its forms)' : 'expected one of the allowed forms (see `faultline schema`)';
  }
  if (issue.code === 'invalid_value') {
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return issue.message.replace(/^Invalid input: /, '');
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
