/**
 * The StatefulSet controller, imitated: pods `<name>-0 … <name>-(n-1)` created in order (with
 * OrderedReady, each only once the ones before it are Ready), recreated under the same name once
 * a deleted one is gone, removed from the highest ordinal when scaling down, and replaced one at
 * a time from the highest ordinal when the template changes (controller-revision-hash label).
 */
import type { Cluster } from '../cluster.js';
import type { KubeObject } from '../types.js';
import { controlledBy, isActive, isReady, podFromTemplate, templateHash, writeStatus } from './common.js';

export class StatefulSetController {
  constructor(private readonly cluster: Cluster) {}

  reconcile(): void {
    const stsDef = this.cluster.def('statefulsets', 'apps');
    const podDef = this.cluster.def('pods');
    for (const sts of this.cluster.store.list(stsDef)) {
      const name = sts.metadata.name;
      const ns = sts.metadata.namespace;
      const want: number = sts.spec?.replicas ?? 1;
      const revision = `${name}-${templateHash(sts.spec?.template)}`;
      const ordered = sts.spec?.podManagementPolicy !== 'Parallel';
      const owned = (): KubeObject[] => this.cluster.store.list(podDef, ns).filter((p) => controlledBy(p, sts));
      const byOrdinal = new Map(owned().map((p) => [Number(p.metadata.name.slice(name.length + 1)), p]));
      // Failed pods are deleted so they come back under the same name.
      for (const p of byOrdinal.values()) if (p.status?.phase === 'Failed' && !p.metadata.deletionTimestamp) this.cluster.delete(podDef, ns, p.metadata.name, { gracePeriodSeconds: 0 });
      for (let i = 0; i < want; i++) {
        const p = byOrdinal.get(i);
        if (p) {
          if (ordered && !(isActive(p) && isReady(p))) break;
          continue;
        }
        const podName = `${name}-${i}`;
        this.cluster.create(podDef, podFromTemplate(sts, podName, { 'controller-revision-hash': revision, 'statefulset.kubernetes.io/pod-name': podName, 'apps.kubernetes.io/pod-index': String(i) }));
        this.cluster.event(sts, 'Normal', 'SuccessfulCreate', `create Pod ${podName} in StatefulSet ${name} successful`, 'statefulset-controller');
        if (ordered) break;
      }
      const pods = owned();
      const busy = pods.some((p) => p.metadata.deletionTimestamp);
      const extra = pods.filter((p) => Number(p.metadata.name.slice(name.length + 1)) >= want && !p.metadata.deletionTimestamp).sort(byOrdinalDesc(name));
      if (extra.length && !(ordered && busy)) this.remove(sts, ordered ? extra.slice(0, 1) : extra);
      else if (!busy && pods.length === want && pods.every(isReady)) {
        const outdated = pods.filter((p) => p.metadata.labels?.['controller-revision-hash'] !== revision).sort(byOrdinalDesc(name));
        if (outdated.length) this.remove(sts, outdated.slice(0, 1));
      }
      const now = owned().filter(isActive);
      const ready = now.filter(isReady).length;
      const revisionOf = (p: KubeObject): string | undefined => p.metadata.labels?.['controller-revision-hash'];
      const updated = now.filter((p) => revisionOf(p) === revision).length;
      // currentRevision stays the old one until every pod runs the new template (kubectl rollout status compares the two).
      const current = owned().find((p) => revisionOf(p) !== revision) ? revisionOf(owned().find((p) => revisionOf(p) !== revision)!)! : revision;
      writeStatus(this.cluster, stsDef, sts, {
        observedGeneration: sts.metadata.generation,
        replicas: now.length,
        readyReplicas: ready,
        availableReplicas: ready,
        currentReplicas: now.filter((p) => revisionOf(p) === current).length,
        updatedReplicas: updated,
        currentRevision: current,
        updateRevision: revision,
        collisionCount: 0,
      });
    }
  }

  private remove(sts: KubeObject, pods: KubeObject[]): void {
    const podDef = this.cluster.def('pods');
    for (const p of pods) {
      this.cluster.delete(podDef, p.metadata.namespace, p.metadata.name);
      this.cluster.event(sts, 'Normal', 'SuccessfulDelete', `delete Pod ${p.metadata.name} in StatefulSet ${sts.metadata.name} successful`, 'statefulset-controller');
    }
  }
}

const byOrdinalDesc =
  (name: string) =>
  (a: KubeObject, b: KubeObject): number =>
    Number(b.metadata.name.slice(name.length + 1)) - Number(a.metadata.name.slice(name.length + 1));
