/**
 * `k6-operator-load`: not a fault users write, but the ledger's record of the TestRun and
 * ConfigMap a run created for its load. The run deletes them when it ends; if faultline is killed
 * first, the runners would go on loading the system with nobody watching. The intent is written
 * before either is created, so `faultline recover` and the reaper delete them (idempotent: what is
 * already gone is fine).
 */
import { z } from 'zod';
import { Cluster } from '../../drivers/kubernetes/cluster.js';
import type { FaultKind } from '../../faults/types.js';
import { K6_GROUP, K6_VERSION, TESTRUN_PLURAL } from './resources.js';

export const K6_OPERATOR_LOAD_KIND = 'k6-operator-load';

export const k6OperatorRevertInfo = z.object({
  cluster: z.object({ kubeconfig: z.string().optional(), context: z.string().optional() }),
  namespace: z.string().min(1),
  testRun: z.string().min(1),
  configMap: z.string().min(1),
});
export type K6OperatorRevertInfo = z.output<typeof k6OperatorRevertInfo>;

/** Deletes both; 'gone' for what was not there. */
export async function deleteK6OperatorResources(info: K6OperatorRevertInfo): Promise<void> {
  const cluster = await Cluster.connect({ ...(info.cluster.kubeconfig ? { kubeconfig: info.cluster.kubeconfig } : {}), ...(info.cluster.context ? { context: info.cluster.context } : {}) });
  // The TestRun first: the operator's jobs and runner pods are its dependents and go with it.
  await cluster.deleteCustom(K6_GROUP, K6_VERSION, TESTRUN_PLURAL, info.namespace, info.testRun);
  await cluster.deleteConfigMap(info.namespace, info.configMap);
}

export const k6OperatorLoadKind: FaultKind<Record<string, never>, never> = {
  name: K6_OPERATOR_LOAD_KIND,
  driver: 'kubernetes',
  summary: 'The k6 operator TestRun and script ConfigMap a run created for its load (ledger bookkeeping)',
  timing: 'held',
  revertSummary: 'deletes the TestRun (its jobs and runner pods go with it) and the ConfigMap',
  params: z.strictObject({}),
  plan: () => ({}),
  inject: () => Promise.reject(new Error('k6-operator-load is recorded by the load, never injected')),
  revert: (info) => deleteK6OperatorResources(k6OperatorRevertInfo.parse(info)),
};
