/**
 * The Deployment controller, imitated: one ReplicaSet per pod template (`<deploy>-<hash>`,
 * labelled and selected with pod-template-hash), rolling updates bounded by maxSurge and
 * maxUnavailable (percentages resolved as the real controller does: surge rounds up,
 * unavailable down, both 0 means 1 unavailable), Recreate, the revision annotation, and the
 * status kubectl rollout status reads (observedGeneration, replicas, updatedReplicas,
 * readyReplicas, availableReplicas, conditions Available and Progressing).
 */
import { now, type Cluster } from '../cluster.js';
import type { KubeObject, ResourceDef } from '../types.js';
import { condition, controlledBy, isActive, isReady, ownerRef, templateHash, writeStatus } from './common.js';

const revisionKey = 'deployment.kubernetes.io/revision';

function resolve(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(String(value ?? ''));
  if (!m) return Number(value ?? 0) || 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

export class DeploymentController {
  constructor(private readonly cluster: Cluster) {}

  reconcile(): void {
    const deployDef = this.cluster.def('deployments', 'apps');
    for (const d of this.cluster.store.list(deployDef)) this.sync(deployDef, d);
  }

  private sync(deployDef: ResourceDef, d: KubeObject): void {
    const rsDef = this.cluster.def('replicasets', 'apps');
    const podDef = this.cluster.def('pods');
    const ns = d.metadata.namespace;
    const desired: number = d.spec?.replicas ?? 1;
    const hash = templateHash(d.spec?.template);
    const owned = this.cluster.store.list(rsDef, ns).filter((rs) => controlledBy(rs, d));
    const pods = this.cluster.store.list(podDef, ns).filter(isActive);
    const podsOf = (rs: KubeObject): KubeObject[] => pods.filter((p) => controlledBy(p, rs));
    const readyOf = (rs: KubeObject): number => podsOf(rs).filter(isReady).length;

    let newRS = owned.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
    const olds = owned.filter((rs) => rs !== newRS);
    const oldTotal = olds.reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
    const revision = String(1 + Math.max(0, ...owned.map((rs) => Number(rs.metadata.annotations?.[revisionKey] ?? 0))));
    if (!newRS) {
      const template = structuredClone(d.spec?.template ?? {});
      template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, 'pod-template-hash': hash } };
      newRS = this.cluster.create(rsDef, {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: `${d.metadata.name}-${hash}`, namespace: ns, labels: template.metadata.labels, annotations: { [revisionKey]: revision, 'deployment.kubernetes.io/desired-replicas': String(desired) }, ownerReferences: [ownerRef(d)] },
        spec: { replicas: 0, selector: { matchLabels: { ...d.spec?.selector?.matchLabels, 'pod-template-hash': hash } }, template },
        status: { replicas: 0 },
      });
    } else if (olds.some((rs) => Number(rs.metadata.annotations?.[revisionKey] ?? 0) > Number(newRS!.metadata.annotations?.[revisionKey] ?? 0))) {
      // A rollback to an older template: that ReplicaSet becomes the newest revision again.
      newRS = this.cluster.mutate(rsDef, ns, newRS.metadata.name, (rs) => {
        rs.metadata.annotations = { ...rs.metadata.annotations, [revisionKey]: revision };
      })!;
    }
    const setReplicas = (rs: KubeObject, n: number): void => {
      if ((rs.spec?.replicas ?? 0) === n) return;
      const from = rs.spec?.replicas ?? 0;
      this.cluster.mutate(rsDef, ns, rs.metadata.name, (x) => {
        x.spec.replicas = n;
      });
      this.cluster.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${n > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${n}`, 'deployment-controller');
      rs.spec.replicas = n;
    };

    const strategy = d.spec?.strategy ?? {};
    let maxSurge = resolve(strategy.rollingUpdate?.maxSurge ?? '25%', desired, true);
    let maxUnavailable = resolve(strategy.rollingUpdate?.maxUnavailable ?? '25%', desired, false);
    if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
    if (strategy.type === 'Recreate') {
      for (const rs of olds) setReplicas(rs, 0);
      if (olds.every((rs) => podsOf(rs).length === 0 && this.cluster.store.list(podDef, ns).every((p) => !controlledBy(p, rs)))) setReplicas(newRS, desired);
    } else if (oldTotal === 0) {
      setReplicas(newRS, desired);
    } else {
      maxSurge = Math.max(maxSurge, 0);
      const total = (newRS.spec?.replicas ?? 0) + oldTotal;
      const room = Math.max(0, desired + maxSurge - total);
      if ((newRS.spec?.replicas ?? 0) < desired) setReplicas(newRS, Math.min(desired, (newRS.spec?.replicas ?? 0) + room));
      // Old pods go only while enough stay available: the new ones must be Ready first.
      const minAvailable = desired - maxUnavailable;
      let budget = Math.max(0, readyOf(newRS) + olds.reduce((n, rs) => n + readyOf(rs), 0) - minAvailable);
      for (const rs of [...olds].sort((a, b) => (a.metadata.creationTimestamp! < b.metadata.creationTimestamp! ? -1 : 1))) {
        const unhealthy = Math.max(0, (rs.spec?.replicas ?? 0) - readyOf(rs));
        const cut = Math.min(rs.spec?.replicas ?? 0, unhealthy + budget);
        budget -= Math.max(0, cut - unhealthy);
        if (cut > 0) setReplicas(rs, (rs.spec?.replicas ?? 0) - cut);
      }
    }
    if (d.metadata.annotations?.[revisionKey] !== newRS.metadata.annotations?.[revisionKey]) {
      d = this.cluster.mutate(deployDef, ns, d.metadata.name, (x) => {
        x.metadata.annotations = { ...x.metadata.annotations, [revisionKey]: newRS!.metadata.annotations![revisionKey]! };
      })!;
    }
    this.writeDeploymentStatus(deployDef, d, newRS, [newRS, ...olds], podsOf, readyOf, desired, maxUnavailable);
  }

  private writeDeploymentStatus(def: ResourceDef, d: KubeObject, newRS: KubeObject, all: KubeObject[], podsOf: (rs: KubeObject) => KubeObject[], readyOf: (rs: KubeObject) => number, desired: number, maxUnavailable: number): void {
    const replicas = all.reduce((n, rs) => n + podsOf(rs).length, 0);
    const ready = all.reduce((n, rs) => n + readyOf(rs), 0);
    const updated = podsOf(newRS).length;
    const time = now();
    const complete = updated === desired && replicas === desired && ready === desired;
    const prev = d.status?.conditions;
    const available = ready >= desired - maxUnavailable;
    writeStatus(this.cluster, def, d, {
      observedGeneration: d.metadata.generation,
      replicas,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(desired - ready > 0 ? { unavailableReplicas: desired - ready } : {}),
      conditions: [
        available ? condition(prev, 'Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', time) : condition(prev, 'Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', time),
        complete
          ? condition(prev, 'Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${newRS.metadata.name}" has successfully progressed.`, time)
          : condition(prev, 'Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${newRS.metadata.name}" is progressing.`, time),
      ],
    });
  }
}
