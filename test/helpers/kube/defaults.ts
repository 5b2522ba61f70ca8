/**
 * The defaulting a real API server applies on create (pkg/apis/<group>/v1/defaults.go), limited to the
 * fields clients here read back: pods' restart policy and grace period, workloads' strategies and
 * history limits, a namespace's phase, a CRD's Established condition.
 */
import { now } from './cluster.js';
import type { KubeObject, ResourceDef } from './types.js';

function podSpecDefaults(spec: KubeObject['spec']): void {
  if (!spec) return;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    c.imagePullPolicy ??= String(c.image ?? '').endsWith(':latest') || !String(c.image ?? '').includes(':') ? 'Always' : 'IfNotPresent';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.resources ??= {};
    for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  }
}

export function applyDefaults(def: ResourceDef, obj: KubeObject): void {
  if (def.group === '' && def.kind === 'Pod') {
    podSpecDefaults(obj.spec);
    obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
    return;
  }
  if (def.group === '' && def.kind === 'Namespace') {
    obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name };
    obj.spec ??= { finalizers: ['kubernetes'] };
    obj.status = { phase: 'Active' };
    return;
  }
  if (def.group === '' && def.kind === 'Service') {
    obj.spec ??= {};
    obj.spec.type ??= 'ClusterIP';
    obj.spec.sessionAffinity ??= 'None';
    obj.spec.clusterIP ??= `10.96.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
    for (const p of obj.spec.ports ?? []) {
      p.protocol ??= 'TCP';
      p.targetPort ??= p.port;
    }
    obj.status = { loadBalancer: {} };
    return;
  }
  if (def.group === 'apps') {
    const spec = obj.spec ?? (obj.spec = {});
    podSpecDefaults(spec.template?.spec);
    spec.revisionHistoryLimit ??= 10;
    if (def.kind === 'Deployment') {
      spec.replicas ??= 1;
      spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
      spec.progressDeadlineSeconds ??= 600;
    } else if (def.kind === 'StatefulSet') {
      spec.replicas ??= 1;
      spec.podManagementPolicy ??= 'OrderedReady';
      spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
    } else if (def.kind === 'DaemonSet') {
      spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
    } else if (def.kind === 'ReplicaSet') spec.replicas ??= 1;
    obj.status = {};
    return;
  }
  if (def.group === 'apiextensions.k8s.io') {
    const names = obj.spec?.names ?? {};
    const time = now();
    obj.status = {
      acceptedNames: names,
      conditions: [
        { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: time },
        { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: time },
      ],
      storedVersions: (obj.spec?.versions ?? []).filter((v: { storage?: boolean }) => v.storage).map((v: { name: string }) => v.name),
    };
    return;
  }
  // Custom resources with a status subresource start with none; others keep what was sent.
  if (def.fromCrd && def.subresources.includes('status')) delete obj.status;
}
