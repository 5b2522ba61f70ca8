/** What the mapping steps share: the compose document, and the problems and warnings found so far. */
import type { ValidationIssue } from '../errors/index.js';
import type { DocPath } from '../experiment/loader/read-document.js';
import { issueAt } from '../experiment/loader/zod-issues.js';
import type { ComposeDocument } from './read-compose.js';

export interface MappingContext {
  doc: ComposeDocument;
  /** Problems that stop the mapping: thrown together as one ValidationError, nothing written. */
  errors: ValidationIssue[];
  /** Things the user should know that do not stop it (unsupported features, unset variables). */
  warnings: ValidationIssue[];
}

export function newContext(doc: ComposeDocument): MappingContext {
  return { doc, errors: [], warnings: [] };
}

export function fail(ctx: MappingContext, path: DocPath, message: string, key?: string): void {
  ctx.errors.push(issueAt(ctx.doc, path, message, key));
}

export function warn(ctx: MappingContext, path: DocPath, message: string, key?: string): void {
  ctx.warnings.push(issueAt(ctx.doc, path, message, key));
}

/** A value as a user would write it, for messages. */
export function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return JSON.stringify(value);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
