/**
 * The DaemonSet controller, imitated: one pod per node (bound to it directly; the real one goes
 * through the scheduler with node affinity), replaced when deleted, one outdated pod at a time
 * replaced when the template changes (maxUnavailable 1). Status as kubectl reads it.
 */
import { randomSuffix, type Cluster } from '../cluster.js';
import { controlledBy, isActive, isReady, podFromTemplate, templateHash, writeStatus } from './common.js';

export class DaemonSetController {
  constructor(private readonly cluster: Cluster) {}

  reconcile(): void {
    const dsDef = this.cluster.def('daemonsets', 'apps');
    const podDef = this.cluster.def('pods');
    const nodes = this.cluster.options.nodes;
    for (const ds of this.cluster.store.list(dsDef)) {
      const ns = ds.metadata.namespace;
      const hash = templateHash(ds.spec?.template);
      const owned = () => this.cluster.store.list(podDef, ns).filter((p) => controlledBy(p, ds));
      for (const node of nodes) {
        if (owned().some((p) => p.spec?.nodeName === node && isActive(p))) continue;
        const pod = this.cluster.create(podDef, podFromTemplate(ds, `${ds.metadata.name}-${randomSuffix()}`, { 'controller-revision-hash': hash, 'pod-template-generation': String(ds.metadata.generation ?? 1) }, node));
        this.cluster.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, 'daemonset-controller');
      }
      const active = owned().filter(isActive);
      if (active.every(isReady) && !owned().some((p) => p.metadata.deletionTimestamp)) {
        const outdated = active.find((p) => p.metadata.labels?.['controller-revision-hash'] !== hash);
        if (outdated) {
          this.cluster.delete(podDef, ns, outdated.metadata.name);
          this.cluster.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${outdated.metadata.name}`, 'daemonset-controller');
        }
      }
      const now = owned().filter(isActive);
      const ready = now.filter(isReady).length;
      writeStatus(this.cluster, dsDef, ds, {
        observedGeneration: ds.metadata.generation,
        desiredNumberScheduled: nodes.length,
        currentNumberScheduled: now.length,
        numberMisscheduled: 0,
        numberReady: ready,
        numberAvailable: ready,
        ...(nodes.length - ready > 0 ? { numberUnavailable: nodes.length - ready } : {}),
        updatedNumberScheduled: now.filter((p) => p.metadata.labels?.['controller-revision-hash'] === hash).length,
      });
    }
  }
}
