/**
 * The dashboard's only access control: an unguessable token as the first segment of every path
 * (`/<token>/`, `/<token>/events`, …). Whoever has the URL sees the run; nobody else gets more
 * than a 403 — not the page, not the stream, not a report file.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** 128 bits, URL-safe. */
export function newToken(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * The part of `pathname` after `/<token>/`, or undefined when the path does not start with the
 * token (compared in constant time, so response times say nothing about a guess).
 */
export function pathAfterToken(pathname: string, token: string): string | undefined {
  const slash = pathname.indexOf('/', 1);
  const given = Buffer.from(pathname.slice(1, slash === -1 ? undefined : slash));
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return slash === -1 ? undefined : pathname.slice(slash + 1);
}
