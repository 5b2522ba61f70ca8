/**
 * Chaos Mesh resources, and a k6 operator load's TestRun and ConfigMap, that faultline created and
 * nobody deleted, found by their labels rather than by the ledger (a ledger lost with a laptop, a
 * state dir wiped): `faultline recover` deletes those of runs from this host that are no longer
 * running. Resources of another host's runs are listed, not
 * touched — that run may be alive on its machine — unless the caller says every host.
 */
import { hostname } from 'node:os';
import { Cluster, type ClusterRef } from './cluster.js';

export const CHAOS_MESH_GROUP = 'chaos-mesh.org';
export const CHAOS_MESH_VERSION = 'v1alpha1';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const RUN_ID_LABEL = 'faultline.dev/run-id';
export const HOST_LABEL = 'faultline.dev/host';

/** The chaos kinds faultline creates, by plural. */
export const CHAOS_PLURALS = ['podchaos', 'networkchaos', 'stresschaos', 'httpchaos', 'iochaos', 'timechaos'] as const;

/** This machine's name as a label value (at most 63 of letters, digits, '-', '_', '.'). */
export function hostLabel(): string {
  const cleaned = hostname().replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return cleaned.slice(0, 63).replace(/[^A-Za-z0-9]+$/, '') || 'unknown';
}

/** The labels on every resource a run creates. */
export function ownershipLabels(runId: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: 'faultline', [RUN_ID_LABEL]: runId, [HOST_LABEL]: hostLabel() };
}

export interface Leftover {
  plural: string;
  namespace: string;
  name: string;
  runId: string;
  host: string;
}

export interface SweepResult {
  /** The context swept. */
  context: string;
  deleted: Leftover[];
  /** Another host's, or a live run's: left alone. */
  kept: (Leftover & { why: string })[];
  failed: (Leftover & { error: string })[];
  /** The namespaces and kinds that could not be listed (no Chaos Mesh: not an error). */
  notes: string[];
}

/** A kind the sweep lists by label and deletes; `crd` when it exists only with its CRD installed. */
interface Sweepable {
  plural: string;
  crd?: string;
  list(namespace: string, labelSelector: string): Promise<Record<string, unknown>[]>;
  remove(namespace: string, name: string): Promise<unknown>;
}

function customKind(cluster: Cluster, group: string, version: string, plural: string): Sweepable {
  return {
    plural,
    crd: `${plural}.${group}`,
    list: (ns, sel) => cluster.listCustom(group, version, plural, ns, sel),
    remove: (ns, name) => cluster.deleteCustom(group, version, plural, ns, name),
  };
}

export async function sweepLeftovers(ref: ClusterRef, namespaces: string[], liveRunIds: Set<string>, options: { allHosts?: boolean; log(m: string): void }): Promise<SweepResult> {
  const cluster = await Cluster.connect(ref);
  const result: SweepResult = { context: cluster.ref.context, deleted: [], kept: [], failed: [], notes: [] };
  const crds = await cluster.crdNames().catch((err: unknown) => {
    result.notes.push(`cannot list CRDs in ${cluster.label}: ${(err as Error).message}`);
    return new Set<string>();
  });
  const here = hostLabel();
  // The chaos kinds, then what a k6 operator load creates (src/load/k6-operator): the same labels, the same rules.
  const kinds: Sweepable[] = [
    ...CHAOS_PLURALS.map((plural) => customKind(cluster, CHAOS_MESH_GROUP, CHAOS_MESH_VERSION, plural)),
    customKind(cluster, 'k6.io', 'v1alpha1', 'testruns'),
    { plural: 'configmaps', list: (ns, sel) => cluster.listConfigMaps(ns, sel), remove: (ns, name) => cluster.deleteConfigMap(ns, name) },
  ];
  for (const { plural, crd, list, remove } of kinds) {
    if (crd !== undefined && !crds.has(crd)) continue;
    for (const namespace of namespaces) {
      let items: Record<string, unknown>[];
      try {
        items = await list(namespace, `${MANAGED_BY_LABEL}=faultline`);
      } catch (err) {
        result.failed.push({ plural, namespace, name: '*', runId: '?', host: '?', error: (err as Error).message });
        continue;
      }
      for (const item of items) {
        const meta = item.metadata as { name?: string; labels?: Record<string, string> } | undefined;
        const one: Leftover = { plural, namespace, name: meta?.name ?? '?', runId: meta?.labels?.[RUN_ID_LABEL] ?? '?', host: meta?.labels?.[HOST_LABEL] ?? '?' };
        if (liveRunIds.has(one.runId)) {
          result.kept.push({ ...one, why: `run ${one.runId} is still in progress` });
        } else if (one.host !== here && !options.allHosts) {
          result.kept.push({ ...one, why: `created from host ${one.host}, whose run may still be alive (--all-hosts to delete it)` });
        } else {
          try {
            await remove(namespace, one.name);
            result.deleted.push(one);
          } catch (err) {
            result.failed.push({ ...one, error: (err as Error).message });
          }
        }
      }
    }
  }
  return result;
}
