/**
 * Just enough OpenAPI v3 for kubectl: the /openapi/v3 index of group versions and, per group
 * version, a document whose PATCH operations carry x-kubernetes-group-version-kind and the
 * `fieldValidation` query parameter. From that kubectl (1.27+) concludes the server validates
 * fields itself, skips its client-side validation (which needs the full schemas of /openapi/v2,
 * not served here) and sends fieldValidation=Strict. The documents hold no component schemas
 * and no request bodies, so kubectl apply computes its patches from its compiled-in types, as
 * it does against a server without OpenAPI; `kubectl explain` finds nothing to explain.
 */
import { createHash } from 'node:crypto';
import type { Store } from './store.js';
import type { ResourceDef } from './types.js';

const gvPath = (group: string, version: string): string => (group ? `apis/${group}/${version}` : `api/${version}`);

function groupVersions(store: Store): Map<string, ResourceDef[]> {
  const gvs = new Map<string, ResourceDef[]>();
  for (const r of store.resources()) {
    const key = gvPath(r.group, r.version);
    gvs.set(key, [...(gvs.get(key) ?? []), r]);
  }
  return gvs;
}

function document(defs: ResourceDef[]): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const r of defs) {
    const prefix = `/${gvPath(r.group, r.version)}`;
    const item = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}/{name}` : `${prefix}/${r.plural}/{name}`;
    paths[item] = {
      patch: {
        operationId: `patch${r.kind}`,
        parameters: ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({ name, in: 'query', schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true } })),
        responses: { '200': { description: 'OK' } },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas: {} } };
}

/** The answer for an /openapi/v3… path, or undefined (404). */
export function openApiV3(store: Store, path: string): Record<string, unknown> | undefined {
  const gvs = groupVersions(store);
  if (path === '/openapi/v3') {
    const paths: Record<string, unknown> = {};
    for (const [key, defs] of gvs) {
      const hash = createHash('sha512').update(JSON.stringify(document(defs))).digest('hex').slice(0, 64).toUpperCase();
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
    }
    return { paths };
  }
  const defs = gvs.get(path.replace(/^\/openapi\/v3\//, ''));
  return defs && document(defs);
}
