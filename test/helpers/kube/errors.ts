/**
 * Errors as the API server sends them: a v1 Status with reason and code, so clients (kubectl,
 * client-node) print and classify them as they would a real cluster's
 * (k8s.io/apimachinery/pkg/api/errors builds the same shapes).
 */
import type { ResourceDef } from './types.js';

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number },
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, ...(this.details ? { details: this.details } : {}), code: this.code };
  }
}

const qualified = (def: ResourceDef): string => (def.group ? `${def.plural}.${def.group}` : def.plural);
const det = (def: ResourceDef, name: string) => ({ name, ...(def.group ? { group: def.group } : {}), kind: def.plural });

export const notFound = (def: ResourceDef, name: string): StatusError => new StatusError(404, 'NotFound', `${qualified(def)} "${name}" not found`, det(def, name));

export const alreadyExists = (def: ResourceDef, name: string): StatusError => new StatusError(409, 'AlreadyExists', `${qualified(def)} "${name}" already exists`, det(def, name));

export const conflict = (def: ResourceDef, name: string): StatusError =>
  new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(def)} "${name}": the object has been modified; please apply your changes to the latest version and try again`, det(def, name));

/** 422, as a validation failure reads: `Kind.group "name" is invalid: field: message`. */
export function invalid(def: ResourceDef, name: string, causes: StatusCause[]): StatusError {
  const kind = def.group ? `${def.kind}.${def.group}` : def.kind;
  const text = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(', ');
  const shown = causes.length > 1 ? `[${text}]` : text;
  return new StatusError(422, 'Invalid', `${kind} "${name}" is invalid: ${shown}`, {
    name,
    ...(def.group ? { group: def.group } : {}),
    kind: def.kind,
    causes: causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', message: c.message, ...(c.field ? { field: c.field } : {}) })),
  });
}

export const badRequest = (message: string): StatusError => new StatusError(400, 'BadRequest', message);

export const methodNotAllowed = (method: string, what: string): StatusError => new StatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method} ${what})`);

export const routeNotFound = (): StatusError => new StatusError(404, 'NotFound', 'the server could not find the requested resource');

/** What a watch sends for a resourceVersion older than the kept history (the watch cache's words). */
export const expired = (requested: number, oldest: number): StatusError => new StatusError(410, 'Expired', `too old resource version: ${requested} (${oldest})`);

/** What a list sends for a continue token whose snapshot is gone. */
export const gone = (message: string): StatusError => new StatusError(410, 'Gone', message);
