/**
 * The ReplicaSet controller, imitated: keeps spec.replicas active pods (`<rs>-<5 random>`),
 * replacing deleted, evicted or failed ones under new names and releasing pods relabelled out
 * of its selector; scaling down removes not-Ready pods
 * first, then the newest. Events SuccessfulCreate / SuccessfulDelete on the ReplicaSet.
 */
import { randomSuffix, type Cluster } from '../cluster.js';
import { selectorMatcher } from '../selectors.js';
import type { KubeObject } from '../types.js';
import { controlledBy, isActive, isReady, podFromTemplate, writeStatus } from './common.js';

export class ReplicaSetController {
  constructor(private readonly cluster: Cluster) {}

  reconcile(): void {
    const rsDef = this.cluster.def('replicasets', 'apps');
    const podDef = this.cluster.def('pods');
    for (const rs of this.cluster.store.list(rsDef)) {
      const selects = selectorMatcher(rs.spec?.selector);
      // Pods relabelled out of the selector are released (their controller reference removed), as the real controller does.
      for (const p of this.cluster.store.list(podDef, rs.metadata.namespace).filter((p) => controlledBy(p, rs) && !selects(p)))
        this.cluster.mutate(podDef, p.metadata.namespace, p.metadata.name, (x) => {
          x.metadata.ownerReferences = x.metadata.ownerReferences?.filter((r) => r.uid !== rs.metadata.uid);
        });
      const owned = this.cluster.store.list(podDef, rs.metadata.namespace).filter((p) => controlledBy(p, rs));
      let active = owned.filter(isActive);
      const want = rs.spec?.replicas ?? 1;
      if (active.length < want) {
        for (let i = active.length; i < want; i++) {
          const pod = this.cluster.create(podDef, podFromTemplate(rs, `${rs.metadata.name}-${randomSuffix()}`, {}));
          this.cluster.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, 'replicaset-controller');
        }
      } else if (active.length > want) {
        const doomed = [...active].sort(deletionOrder).slice(0, active.length - want);
        for (const pod of doomed) {
          this.cluster.delete(podDef, pod.metadata.namespace, pod.metadata.name);
          this.cluster.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, 'replicaset-controller');
        }
      }
      active = this.cluster.store.list(podDef, rs.metadata.namespace).filter((p) => controlledBy(p, rs) && isActive(p));
      const ready = active.filter(isReady).length;
      writeStatus(this.cluster, rsDef, rs, { replicas: active.length, fullyLabeledReplicas: active.length, readyReplicas: ready, availableReplicas: ready, observedGeneration: rs.metadata.generation });
    }
  }
}

/** Not Ready before Ready, then newest first (a short form of the controller's ActivePods ranking). */
function deletionOrder(a: KubeObject, b: KubeObject): number {
  if (isReady(a) !== isReady(b)) return isReady(a) ? 1 : -1;
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? 1 : -1;
  return Number(b.metadata.resourceVersion) - Number(a.metadata.resourceVersion);
}
