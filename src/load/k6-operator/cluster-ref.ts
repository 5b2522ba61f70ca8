/** Which cluster a k6-operator load runs on, and whether it can run there (checked in preflight, before any fault). */
import { isAbsolute, resolve } from 'node:path';
import { apiMessage, Cluster, type ClusterRef } from '../../drivers/kubernetes/cluster.js';
import { clusterRefFor } from '../../drivers/kubernetes/target.js';
import type { KubernetesCluster } from '../../experiment/schema/kubernetes.js';
import type { K6OperatorLoadSpec } from '../spec.js';
import { K6_OPERATOR_INSTALL_DOCS, TESTRUN_CRD } from './resources.js';

/** The spec's own kubeconfig/context over the system file's cluster block (and `--context`). */
export function k6OperatorClusterRef(spec: K6OperatorLoadSpec, system: KubernetesCluster | undefined, systemDir: string): ClusterRef {
  const ref = clusterRefFor(system, systemDir);
  const own = spec.k6Operator;
  if (own.kubeconfig !== undefined) ref.kubeconfig = isAbsolute(own.kubeconfig) ? own.kubeconfig : resolve(spec.cwd ?? process.cwd(), own.kubeconfig);
  if (own.context !== undefined) ref.context = own.context;
  return ref;
}

/** A sentence saying why the load cannot run on this cluster, or undefined. */
export async function k6OperatorProblem(ref: ClusterRef, namespace: string): Promise<string | undefined> {
  return (await k6OperatorCheck(ref, namespace)).problem;
}

/** The problem, if any, and the cluster's label (for the confirmation a run asks before touching a cluster). */
export async function k6OperatorCheck(ref: ClusterRef, namespace: string): Promise<{ problem?: string; clusterLabel?: string }> {
  let clusterLabel: string | undefined;
  const problem = await (async () => {
    const cluster = await Cluster.connect(ref);
    clusterLabel = cluster.label;
    const crds = await cluster.crdNames();
    if (!crds.has(TESTRUN_CRD)) {
      return `the k6 operator is not installed in ${cluster.label}: it has no CustomResourceDefinition ${TESTRUN_CRD}. Install the operator (${K6_OPERATOR_INSTALL_DOCS}), or run k6 here with load.command`;
    }
    if (!(await cluster.namespaceExists(namespace))) return `namespace ${namespace} does not exist in ${cluster.label}`;
    return undefined;
  })().catch((err: unknown) => apiMessage(err));
  return { ...(problem !== undefined ? { problem } : {}), ...(clusterLabel !== undefined ? { clusterLabel } : {}) };
}
