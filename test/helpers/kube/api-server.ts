/**
 * The HTTP side of the stand-in: routes a request to discovery or to a resource's verbs and
 * answers as kube-apiserver does (status codes, `Status` errors, `<Kind>List`s, watches).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomSuffix, type Cluster, type DeleteOptions } from './cluster.js';
import { applyDefaults } from './defaults.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, serverVersion } from './discovery.js';
import { badRequest, conflict, invalid, methodNotAllowed, notFound, routeNotFound, StatusError, type StatusCause } from './errors.js';
import { filterFor, listObjects, parseQuery } from './list.js';
import { openApiV3 } from './openapi.js';
import { applyPatch } from './patch.js';
import { handleEviction, handleScale, handleStatus } from './subresources.js';
import { tableVersion, toTable } from './table.js';
import { serveWatch, type WatchContext } from './watch.js';
import type { KubeObject, LoggedRequest, Loose, ResourceDef } from './types.js';

export interface Route {
  def: ResourceDef;
  ns: string | undefined;
  name: string | undefined;
  sub: string | undefined;
}

/** Resolve `/api/v1/...` or `/apis/<g>/<v>/...` to a resource, namespace, name and subresource. */
export function route(cluster: Cluster, path: string): Route | undefined {
  const segs = path.split('/').filter((s) => s !== '').map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) [group, version, rest] = ['', segs[1]!, segs.slice(2)];
  else if (segs[0] === 'apis' && segs.length >= 4) [group, version, rest] = [segs[1]!, segs[2]!, segs.slice(3)];
  else return undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const def = cluster.store.resolve(group, version, rest[2]!);
    if (def?.namespaced) return { def, ns: rest[1], name: rest[3], sub: rest[4] };
  }
  const def = cluster.store.resolve(group, version, rest[0]!);
  if (!def || rest.length > 3) return undefined;
  return { def, ns: undefined, name: rest[1], sub: rest[2] };
}

const dns1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export class ApiServer {
  readonly requests: LoggedRequest[] = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly watches: WatchContext,
    private readonly address: () => string,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { path, query } = parseQuery(req);
    const method = req.method ?? 'GET';
    const text = await readBody(req);
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* kept as text; a handler that needs JSON answers 400 */
    }
    const contentType = req.headers['content-type'];
    this.requests.push({ method, path, query, contentType, body });
    try {
      if (this.discovery(res, method, path)) return;
      const r = route(this.cluster, path);
      if (!r) throw routeNotFound();
      if (r.name === undefined && method === 'GET' && (query.watch === 'true' || query.watch === '1')) {
        const table = tableVersion(req.headers.accept);
        const asTable = table ? (o: KubeObject): unknown => toTable(this.cluster.store, r.def, [o], table, query.includeObject) : undefined;
        serveWatch(this.watches, req, res, r.def, r.ns, query, asTable);
        return;
      }
      if (contentType?.startsWith('application/vnd.kubernetes.protobuf'))
        // Typed kubectl commands (create namespace, …) send protobuf; the stand-in reads JSON only.
        throw new StatusError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (the stand-in reads no protobuf)');
      if (typeof body === 'string' && body !== '') throw badRequest(`the object provided is unrecognized (request body is not JSON)`);
      const { code, body: answer } = this.resource(r, method, query, contentType, body as Loose, tableVersion(req.headers.accept));
      send(res, code, answer);
    } catch (err) {
      if (err instanceof StatusError) send(res, err.code, err.toStatus());
      else send(res, 500, new StatusError(500, 'InternalError', `stand-in: ${(err as Error).stack ?? String(err)}`).toStatus());
    }
  }

  private discovery(res: ServerResponse, method: string, path: string): boolean {
    if (method !== 'GET') return false;
    const p = path.replace(/\/$/, '');
    if (p === '/version') return send(res, 200, serverVersion), true;
    if (p === '/healthz' || p === '/readyz' || p === '/livez') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      return true;
    }
    if (p === '/api') return send(res, 200, apiVersions(this.address())), true;
    if (p.startsWith('/openapi/v3')) {
      const doc = openApiV3(this.cluster.store, p);
      send(res, doc ? 200 : 404, doc ?? routeNotFound().toStatus());
      return true;
    }
    if (p === '/apis') return send(res, 200, apiGroupList(this.cluster.store)), true;
    let m = /^\/api\/(v1)$/.exec(p);
    if (m) return send(res, 200, apiResourceList(this.cluster.store, '', m[1]!)), true;
    m = /^\/apis\/([^/]+)$/.exec(p);
    if (m) {
      const g = apiGroup(this.cluster.store, m[1]!);
      send(res, g ? 200 : 404, g ?? routeNotFound().toStatus());
      return true;
    }
    m = /^\/apis\/([^/]+)\/([^/]+)$/.exec(p);
    if (m) {
      const list = apiResourceList(this.cluster.store, m[1]!, m[2]!);
      send(res, list ? 200 : 404, list ?? routeNotFound().toStatus());
      return true;
    }
    return false;
  }

  private resource(r: Route, method: string, query: Record<string, string>, contentType: string | undefined, body: Loose, table: string | undefined): { code: number; body: unknown } {
    const { def, ns, name, sub } = r;
    const store = this.cluster.store;
    if (name === undefined) {
      if (method === 'GET') {
        const list = listObjects(store, def, ns, query) as { metadata: { resourceVersion: string; continue?: string }; items: KubeObject[] };
        if (!table) return { code: 200, body: list };
        const t = toTable(store, def, list.items, table, query.includeObject, list.metadata.resourceVersion);
        return { code: 200, body: { ...t, metadata: list.metadata } };
      }
      if (method === 'POST') {
        if (ns === undefined && def.namespaced) throw methodNotAllowed(method, def.plural);
        return this.create(def, ns, body, query);
      }
      if (method === 'DELETE') {
        const deleted = store.list(def, ns).filter(filterFor(def, query)).map((o) => this.cluster.delete(def, o.metadata.namespace, o.metadata.name, deleteOptions(query, body)));
        return { code: 200, body: { kind: `${def.kind}List`, apiVersion: def.group ? `${def.group}/${def.version}` : def.version, metadata: { resourceVersion: String(store.resourceVersion) }, items: deleted } };
      }
      throw methodNotAllowed(method, def.plural);
    }
    if (sub !== undefined) {
      if (!def.subresources.includes(sub)) throw routeNotFound();
      if (sub === 'status' && ['GET', 'PUT', 'PATCH'].includes(method)) return handleStatus(this.cluster, def, ns, name, method, contentType, body);
      if (sub === 'scale' && ['GET', 'PUT', 'PATCH'].includes(method)) return handleScale(this.cluster, def, ns, name, method, contentType, body);
      if (sub === 'eviction' && method === 'POST') return handleEviction(this.cluster, ns, name, body);
      if (sub === 'exec') throw badRequest('Upgrade request required');
      throw methodNotAllowed(method, `${def.plural}/${sub}`);
    }
    switch (method) {
      case 'GET': {
        const o = store.get(def, ns, name);
        if (!o) throw notFound(def, name);
        return { code: 200, body: table ? toTable(store, def, [o], table, query.includeObject, o.metadata.resourceVersion) : o };
      }
      case 'PUT':
        return this.update(def, ns, name, body, query);
      case 'PATCH': {
        const current = store.get(def, ns, name);
        if (!current) throw notFound(def, name);
        return this.update(def, ns, name, applyPatch(contentType, current, body, !def.fromCrd), query);
      }
      case 'DELETE': {
        const gone = this.cluster.delete(def, ns, name, deleteOptions(query, body));
        // Pods answer with the (terminating or deleted) pod; other kinds with a Status, as the real registries do.
        if (def.kind === 'Pod' && def.group === '') return { code: 200, body: gone };
        return { code: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, ...(def.group ? { group: def.group } : {}), kind: def.plural, uid: gone.metadata.uid } } };
      }
      default:
        throw methodNotAllowed(method, def.plural);
    }
  }

  private create(def: ResourceDef, ns: string | undefined, body: Loose, query: Record<string, string>): { code: number; body: unknown } {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the object provided is unrecognized (empty or not an object)');
    const obj = structuredClone(body) as KubeObject;
    obj.metadata ??= { name: '' };
    checkKind(def, obj);
    if (def.namespaced) {
      if (obj.metadata.namespace && obj.metadata.namespace !== ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      obj.metadata.namespace = ns;
      if (!this.cluster.store.get(this.cluster.def('namespaces'), undefined, ns!)) throw notFound(this.cluster.def('namespaces'), ns!);
    }
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = `${obj.metadata.generateName}${randomSuffix()}`;
    const causes: StatusCause[] = [];
    if (!obj.metadata.name) causes.push({ field: 'metadata.name', reason: 'FieldValueRequired', message: 'Required value: name or generateName is required' });
    else if (!dns1123.test(obj.metadata.name) || obj.metadata.name.length > 253)
      causes.push({ field: 'metadata.name', message: `Invalid value: "${obj.metadata.name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character` });
    if (causes.length) throw invalid(def, obj.metadata.name || obj.metadata.generateName || '', causes);
    applyDefaults(def, obj);
    for (const admit of this.cluster.admission) admit('CREATE', def, obj, undefined, query.fieldValidation);
    if (query.dryRun === 'All') return { code: 201, body: obj };
    return { code: 201, body: this.cluster.store.create(def, obj) };
  }

  private update(def: ResourceDef, ns: string | undefined, name: string, body: Loose, query: Record<string, string>): { code: number; body: unknown } {
    if (!body || typeof body !== 'object') throw badRequest('the object provided is unrecognized (empty or not an object)');
    const obj = structuredClone(body) as KubeObject;
    obj.metadata ??= { name };
    checkKind(def, obj);
    if (obj.metadata.name && obj.metadata.name !== name) throw badRequest('the name of the object does not match the name on the URL');
    obj.metadata.name = name;
    if (def.namespaced) obj.metadata.namespace = ns;
    const current = this.cluster.store.get(def, ns, name);
    if (!current) throw notFound(def, name);
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== current.metadata.resourceVersion) throw conflict(def, name);
    // With a status subresource the main resource ignores status changes.
    if (def.subresources.includes('status')) obj.status = current.status;
    for (const admit of this.cluster.admission) admit('UPDATE', def, obj, current, query.fieldValidation);
    if (query.dryRun === 'All') return { code: 200, body: obj };
    return { code: 200, body: this.cluster.store.replace(def, obj) };
  }
}

function checkKind(def: ResourceDef, obj: KubeObject): void {
  const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
  if (obj.kind && obj.kind !== def.kind) throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersion})`);
  if (obj.apiVersion && obj.apiVersion !== apiVersion) throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersion})`);
}

/** DeleteOptions from the query (client-node) or the body (kubectl sends a DeleteOptions object). */
function deleteOptions(query: Record<string, string>, body: Loose): DeleteOptions {
  const b = body && typeof body === 'object' ? body : {};
  const grace = query.gracePeriodSeconds ?? b.gracePeriodSeconds;
  const policy = query.propagationPolicy ?? b.propagationPolicy ?? (query.orphanDependents === 'true' || b.orphanDependents === true ? 'Orphan' : undefined);
  return { ...(grace !== undefined ? { gracePeriodSeconds: Number(grace) } : {}), ...(policy ? { propagationPolicy: policy } : {}) };
}
