/**
 * Lists as the API server answers them: `<Kind>List` with metadata.resourceVersion, label and
 * field selectors, `limit` with an opaque `continue` token and `remainingItemCount`. Items of
 * built-in kinds carry no kind/apiVersion (the server strips them); custom resources keep theirs.
 * A continue token resumes after the last key it saw, against the current state: a real server
 * reads a consistent snapshot at the first page's version instead.
 */
import type { IncomingMessage } from 'node:http';
import { badRequest, gone } from './errors.js';
import { fieldMatcher, labelMatcher } from './selectors.js';
import type { Store } from './store.js';
import { apiVersionOf, type KubeObject, type ResourceDef } from './types.js';

const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export function filterFor(def: ResourceDef, query: Record<string, string>): (o: KubeObject) => boolean {
  const byLabel = labelMatcher(query.labelSelector);
  const byField = fieldMatcher(query.fieldSelector, def.kind);
  return (o) => byLabel(o) && byField(o);
}

export function listObjects(store: Store, def: ResourceDef, ns: string | undefined, query: Record<string, string>): Record<string, unknown> {
  const filter = filterFor(def, query);
  let items = store.list(def, ns).filter(filter);
  let start = '';
  if (query.continue) {
    let token: { rv?: number; start?: string };
    try {
      token = JSON.parse(Buffer.from(query.continue, 'base64').toString('utf8')) as typeof token;
    } catch {
      throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
    }
    if ((token.rv ?? 0) < store.oldestResourceVersion) throw gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    start = token.start ?? '';
    items = items.filter((o) => keyOf(o) > start);
  }
  const rv = store.resourceVersion;
  const limit = Number(query.limit ?? 0);
  const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
  if (limit > 0 && items.length > limit) {
    const page = items.slice(0, limit);
    metadata.continue = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: keyOf(page[page.length - 1]!) })).toString('base64');
    metadata.remainingItemCount = items.length - limit;
    items = page;
  }
  const builtin = !def.fromCrd;
  return {
    kind: `${def.kind}List`,
    apiVersion: apiVersionOf(def),
    metadata,
    items: items.map((o) => {
      if (!builtin) return o;
      const { kind: _k, apiVersion: _a, ...rest } = o;
      return rest;
    }),
  };
}

/** Query parameters, last value wins except for repeated `command` (exec), which is kept in order. */
export function parseQuery(req: IncomingMessage): { path: string; query: Record<string, string>; commands: string[] } {
  const url = new URL(req.url ?? '/', 'http://stand-in');
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  return { path: url.pathname, query, commands: url.searchParams.getAll('command') };
}
