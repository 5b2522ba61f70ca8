/** A whole Chaos Mesh resource from a kind, its parameters and the pods: what the driver creates and export prints. */
import type { ChaosMeshKind, ChaosMeshResource, ChaosMeshSelection } from './types.js';

export const CHAOS_MESH_GROUP = 'chaos-mesh.org';
export const CHAOS_MESH_API_VERSION = 'chaos-mesh.org/v1alpha1';

export interface ChaosMeshMeta {
  name: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  durationMs?: number;
  peers?: Record<string, ChaosMeshSelection>;
}

/**
 * `params` are parsed with the kind's schema here (defaults filled, refusals thrown as the
 * ZodError), so the caller may pass them as written in the experiment. The resource lives in the
 * namespace of the pods it selects.
 */
export function chaosMeshResource(kind: ChaosMeshKind, params: unknown, selection: ChaosMeshSelection, meta: ChaosMeshMeta): ChaosMeshResource {
  const parsed = kind.params.parse(params);
  const spec = kind.spec(parsed, selection, { ...(meta.durationMs !== undefined && kind.timing === 'held' ? { durationMs: meta.durationMs } : {}), peers: meta.peers ?? {} });
  return {
    apiVersion: CHAOS_MESH_API_VERSION,
    kind: kind.crdKind,
    metadata: { name: meta.name, namespace: selection.namespace, labels: { ...meta.labels }, ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}) },
    spec,
  };
}

/** The CRD's name, as CRD discovery lists it: `networkchaos.chaos-mesh.org`. */
export function chaosMeshCrdName(kind: Pick<ChaosMeshKind, 'plural'>): string {
  return `${kind.plural}.${CHAOS_MESH_GROUP}`;
}

/** The key of a kind's spec inside a Workflow template or a Schedule: NetworkChaos → networkChaos. */
export function embedKey(crdKind: string): string {
  return crdKind === 'HTTPChaos' ? 'httpChaos' : crdKind === 'IOChaos' ? 'ioChaos' : crdKind.charAt(0).toLowerCase() + crdKind.slice(1);
}
