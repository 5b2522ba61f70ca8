/**
 * Secrets stay out of reports. Every journal and report faultline writes goes through
 * `redactJournal`: the experiment (and anything else in the journal) keeps its shape, but
 *
 * - a header whose name looks like a credential (Authorization, Cookie, X-Api-Key, …),
 * - an environment variable whose name does (API_TOKEN, DB_PASSWORD, …),
 * - the body of an HTTP call (a rollback's, a probe's, a load request's: bodies carry logins),
 * - the password in a URL (`https://user:secret@host`)
 *
 * are replaced by "[redacted]". Names are matched case-insensitively on TOKEN, SECRET, PASSWORD,
 * PASSWD, KEY, AUTH, COOKIE, CREDENTIAL, SESSION. Report files are written 0600 in 0700 dirs.
 */
export const REDACTED = '[redacted]';

const SECRET_NAME = /token|secret|passw(or)?d|key|auth|cookie|credential|session/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A copy of `value` with secrets replaced; the input is not changed. */
export function redact<T>(value: T): T {
  return walk(value, undefined) as T;
}

function walk(value: unknown, key: string | undefined): unknown {
  if (typeof value === 'string') return key === 'body' ? REDACTED : redactUrl(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => walk(v, undefined));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if ((key === 'headers' || key === 'env') && typeof v === 'string' && isSecretName(k)) out[k] = REDACTED;
    else if (k === 'body' && v !== undefined && v !== null) out[k] = REDACTED;
    else out[k] = walk(v, k);
  }
  return out;
}

/** `scheme://user:password@host…` → `scheme://user:[redacted]@host…`; other strings unchanged. */
function redactUrl(s: string): string {
  return s.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s/@]+@/gi, `$1:${REDACTED}@`);
}
