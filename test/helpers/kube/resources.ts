/**
 * The resources the stand-in serves: the built-in ones faultline touches, and the custom ones
 * that installed CRDs add (derived from the CRD objects in the store, as a real server's
 * discovery is).
 */
import type { KubeObject, ResourceDef } from './types.js';

const rw = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const statusVerbs = ['get', 'patch', 'update'];

export const builtinResources: ResourceDef[] = [
  { group: '', version: 'v1', plural: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['ns'], subresources: ['status'] },
  { group: '', version: 'v1', plural: 'nodes', singular: 'node', kind: 'Node', namespaced: false, verbs: rw, shortNames: ['no'], subresources: ['status'] },
  { group: '', version: 'v1', plural: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, verbs: rw, shortNames: ['po'], categories: ['all'], subresources: ['status', 'eviction', 'exec'] },
  { group: '', version: 'v1', plural: 'services', singular: 'service', kind: 'Service', namespaced: true, verbs: rw, shortNames: ['svc'], categories: ['all'], subresources: ['status'] },
  { group: '', version: 'v1', plural: 'endpoints', singular: 'endpoints', kind: 'Endpoints', namespaced: true, verbs: rw, shortNames: ['ep'], subresources: [] },
  { group: '', version: 'v1', plural: 'events', singular: 'event', kind: 'Event', namespaced: true, verbs: rw, shortNames: ['ev'], subresources: [] },
  { group: '', version: 'v1', plural: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, verbs: rw, shortNames: ['cm'], subresources: [] },
  { group: 'apps', version: 'v1', plural: 'deployments', singular: 'deployment', kind: 'Deployment', namespaced: true, verbs: rw, shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'] },
  { group: 'apps', version: 'v1', plural: 'replicasets', singular: 'replicaset', kind: 'ReplicaSet', namespaced: true, verbs: rw, shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'] },
  { group: 'apps', version: 'v1', plural: 'statefulsets', singular: 'statefulset', kind: 'StatefulSet', namespaced: true, verbs: rw, shortNames: ['sts'], categories: ['all'], subresources: ['status', 'scale'] },
  { group: 'apps', version: 'v1', plural: 'daemonsets', singular: 'daemonset', kind: 'DaemonSet', namespaced: true, verbs: rw, shortNames: ['ds'], categories: ['all'], subresources: ['status'] },
  // Stored and listed, but evictions do not consult them.
  { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', singular: 'poddisruptionbudget', kind: 'PodDisruptionBudget', namespaced: true, verbs: rw, shortNames: ['pdb'], subresources: ['status'] },
  { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', singular: 'customresourcedefinition', kind: 'CustomResourceDefinition', namespaced: false, verbs: rw, shortNames: ['crd', 'crds'], subresources: ['status'] },
];


/** Subresources as discovery lists them: `pods/eviction` is a policy/v1 Eviction, `…/scale` an autoscaling/v1 Scale. */
export function subresourceEntries(def: ResourceDef): Record<string, unknown>[] {
  return def.subresources.map((sub) => {
    const base = { name: `${def.plural}/${sub}`, singularName: '', namespaced: def.namespaced };
    switch (sub) {
      case 'status':
        return { ...base, kind: def.kind, verbs: statusVerbs };
      case 'scale':
        return { ...base, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: statusVerbs };
      case 'eviction':
        return { ...base, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] };
      case 'exec':
        return { ...base, kind: 'PodExecOptions', verbs: ['create', 'get'] };
      default:
        return { ...base, kind: def.kind, verbs: ['get'] };
    }
  });
}

/** The resources an established CRD adds, one per served version. */
export function crdResources(crd: KubeObject): ResourceDef[] {
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  return ((spec.versions ?? []) as { name: string; served?: boolean; subresources?: Record<string, unknown> }[])
    .filter((v) => v.served !== false)
    .map((v) => ({
      group: spec.group,
      version: v.name,
      plural: names.plural,
      singular: names.singular ?? String(names.kind ?? '').toLowerCase(),
      kind: names.kind,
      namespaced: spec.scope !== 'Cluster',
      verbs: rw,
      ...(names.shortNames ? { shortNames: names.shortNames } : {}),
      ...(names.categories ? { categories: names.categories } : {}),
      subresources: Object.keys(v.subresources ?? {}).filter((s) => s === 'status' || s === 'scale'),
      fromCrd: crd.metadata.name,
    }));
}
