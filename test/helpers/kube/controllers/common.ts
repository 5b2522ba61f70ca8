/** Helpers the workload controllers share: pod readiness, ownership, template hashes, status writes. */
import type { Cluster } from '../cluster.js';
import type { KubeObject, ResourceDef } from '../types.js';

export const isReady = (pod: KubeObject): boolean => pod.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Counted by controllers: not terminating and not finished (as the ReplicaSet controller filters). */
export const isActive = (pod: KubeObject): boolean => !pod.metadata.deletionTimestamp && pod.status?.phase !== 'Failed' && pod.status?.phase !== 'Succeeded';

export const controlledBy = (o: KubeObject, owner: KubeObject): boolean => o.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid && r.controller) ?? false;

export const ownerRef = (owner: KubeObject): NonNullable<KubeObject['metadata']['ownerReferences']>[number] => ({
  apiVersion: owner.apiVersion!,
  kind: owner.kind!,
  name: owner.metadata.name,
  uid: owner.metadata.uid!,
  controller: true,
  blockOwnerDeletion: true,
});

/** FNV-1a 32-bit of the template, encoded with apimachinery's SafeEncodeString alphabet (as pod-template-hash is). */
export function templateHash(template: unknown): string {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(JSON.stringify(template ?? {}))) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...String(h)].map((d) => alphabet[Number(d) + 10]!).join('') + alphabet[h % 10]!;
}

/** Write `status` only when it differs, so reconciling converges instead of looping. */
export function writeStatus(cluster: Cluster, def: ResourceDef, o: KubeObject, status: Record<string, unknown>): void {
  if (JSON.stringify(o.status ?? {}) === JSON.stringify(status)) return;
  cluster.mutate(def, o.metadata.namespace, o.metadata.name, (x) => {
    x.status = status;
  });
}

/** A pod from a template: labels, annotations and spec copied, plus what the controller adds. */
export function podFromTemplate(owner: KubeObject, name: string, extraLabels: Record<string, string>, nodeName?: string): KubeObject {
  const t = structuredClone(owner.spec?.template ?? {});
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      labels: { ...(t.metadata?.labels ?? {}), ...extraLabels },
      ...(t.metadata?.annotations ? { annotations: t.metadata.annotations } : {}),
      ownerReferences: [ownerRef(owner)],
    },
    spec: { ...(t.spec ?? {}), ...(nodeName ? { nodeName } : {}) },
  };
}

/** Condition list with transition times kept when the status did not change. */
export function condition(previous: { type: string; status: string; lastTransitionTime?: string }[] | undefined, type: string, status: 'True' | 'False', reason: string, message: string, time: string): Record<string, string> {
  const old = previous?.find((c) => c.type === type);
  const same = old && old.status === status;
  return { type, status, lastUpdateTime: same ? ((old as Record<string, string>).lastUpdateTime ?? time) : time, lastTransitionTime: same ? (old.lastTransitionTime ?? time) : time, reason, message };
}
