/**
 * Watches as the API server streams them: a chunked 200 response of newline-delimited
 * `{"type","object"}` events. From resourceVersion 0 or none, the current objects come first as
 * synthetic ADDED; from a given version, the kept history after it is replayed; from a version
 * older than the history, one ERROR event carrying a 410 Status with reason Expired ("too old
 * resource version"), then the end of the stream — exactly what clients' reflectors expect.
 * With allowWatchBookmarks=true, BOOKMARK events carrying only kind, apiVersion and
 * metadata.resourceVersion come every bookmarkIntervalMs. A selector change turns MODIFIED into
 * ADDED or DELETED, as the watch cache does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { expired } from './errors.js';
import { filterFor } from './list.js';
import type { Store } from './store.js';
import { apiVersionOf, resourceKey, type KubeObject, type ResourceDef, type StoreEvent } from './types.js';

export interface WatchContext {
  store: Store;
  bookmarkIntervalMs: number;
  /** Every open watch registers its ender here so close() can end them. */
  open: Set<() => void>;
}

/** `asTable` wraps each object in a one-row Table when the client asked for Tables (kubectl get -w). */
export function serveWatch(ctx: WatchContext, req: IncomingMessage, res: ServerResponse, def: ResourceDef, ns: string | undefined, query: Record<string, string>, asTable?: (o: KubeObject) => unknown): void {
  const filter = filterFor(def, query);
  const inScope = (o: KubeObject): boolean => ns === undefined || !def.namespaced || o.metadata.namespace === ns;
  const resource = resourceKey(def);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  const send = (type: string, object: unknown): void => {
    const wrapped = asTable && type !== 'ERROR' && type !== 'BOOKMARK' ? asTable(object as KubeObject) : object;
    if (!res.writableEnded) res.write(`${JSON.stringify({ type, object: wrapped })}\n`);
  };
  const translate = (e: StoreEvent): void => {
    if (e.resource !== resource || !inScope(e.object)) return;
    const now = filter(e.object);
    if (e.type === 'MODIFIED') {
      const was = e.previous ? filter(e.previous) : now;
      if (now && !was) send('ADDED', e.object);
      else if (!now && was) send('DELETED', e.object);
      else if (now) send('MODIFIED', e.object);
    } else if (now) send(e.type, e.object);
  };

  const rvText = query.resourceVersion;
  const rv = rvText === undefined || rvText === '' ? 0 : Number(rvText);
  if (rv === 0) {
    for (const o of ctx.store.list(def, ns)) if (filter(o)) send('ADDED', o);
  } else {
    const events = ctx.store.eventsSince(resource, rv);
    if (events === 'expired') {
      send('ERROR', expired(rv, ctx.store.oldestResourceVersion).toStatus());
      res.end();
      return;
    }
    for (const e of events) translate(e);
  }

  const unsubscribe = ctx.store.on(translate);
  const timers: NodeJS.Timeout[] = [];
  const end = (): void => {
    unsubscribe();
    for (const t of timers) clearInterval(t);
    ctx.open.delete(end);
    if (!res.writableEnded) res.end();
  };
  ctx.open.add(end);
  if (query.allowWatchBookmarks === 'true' || query.allowWatchBookmarks === '1') {
    timers.push(setInterval(() => send('BOOKMARK', { kind: def.kind, apiVersion: apiVersionOf(def), metadata: { resourceVersion: String(ctx.store.resourceVersion) } }), ctx.bookmarkIntervalMs));
  }
  const timeout = Number(query.timeoutSeconds ?? 0);
  if (timeout > 0) timers.push(setTimeout(end, timeout * 1000));
  req.on('close', end);
  res.on('close', end);
}
