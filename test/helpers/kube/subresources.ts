/**
 * Subresources: `status` (only status changes), `scale` (an autoscaling/v1 Scale view of a
 * workload's replicas) and pods' `eviction` (a policy/v1 Eviction that deletes the pod; no
 * PodDisruptionBudgets are checked here).
 */
import type { Cluster } from './cluster.js';
import { badRequest, conflict, notFound } from './errors.js';
import { applyPatch } from './patch.js';
import type { KubeObject, Loose, ResourceDef } from './types.js';

function selectorString(selector: Loose): string {
  const parts = Object.entries((selector?.matchLabels ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`);
  for (const e of (selector?.matchExpressions ?? []) as { key: string; operator: string; values?: string[] }[]) {
    if (e.operator === 'In') parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

export function scaleOf(o: KubeObject): KubeObject {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = o.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: o.spec?.replicas ?? 0 },
    status: { replicas: o.status?.replicas ?? 0, selector: selectorString(o.spec?.selector) },
  };
}

export function handleScale(cluster: Cluster, def: ResourceDef, ns: string | undefined, name: string, method: string, contentType: string | undefined, body: Loose): { code: number; body: KubeObject } {
  const current = cluster.store.get(def, ns, name);
  if (!current) throw notFound(def, name);
  if (method === 'GET') return { code: 200, body: scaleOf(current) };
  const wanted: KubeObject = method === 'PATCH' ? applyPatch(contentType, scaleOf(current), body, true) : body;
  const rv = wanted.metadata?.resourceVersion;
  if (rv && rv !== current.metadata.resourceVersion) throw conflict(def, name);
  const replicas = wanted.spec?.replicas;
  if (typeof replicas !== 'number' || replicas < 0) throw badRequest(`Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
  current.spec.replicas = replicas;
  return { code: 200, body: scaleOf(cluster.store.replace(def, current)) };
}

/** PUT/PATCH of `status`: everything but status is kept from the stored object. */
export function handleStatus(cluster: Cluster, def: ResourceDef, ns: string | undefined, name: string, method: string, contentType: string | undefined, body: Loose): { code: number; body: KubeObject } {
  const current = cluster.store.get(def, ns, name);
  if (!current) throw notFound(def, name);
  if (method === 'GET') return { code: 200, body: current };
  const wanted: KubeObject = method === 'PATCH' ? applyPatch(contentType, current, body, !def.fromCrd) : body;
  const rv = wanted.metadata?.resourceVersion;
  if (rv && rv !== current.metadata.resourceVersion) throw conflict(def, name);
  current.status = wanted.status;
  return { code: 200, body: cluster.store.replace(def, current) };
}

export function handleEviction(cluster: Cluster, ns: string | undefined, name: string, body: Loose): { code: number; body: Record<string, unknown> } {
  const pods = cluster.def('pods');
  if (!cluster.store.get(pods, ns, name)) throw notFound(pods, name);
  const options = body?.deleteOptions ?? {};
  cluster.delete(pods, ns, name, { gracePeriodSeconds: options.gracePeriodSeconds, propagationPolicy: options.propagationPolicy });
  return { code: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
}
