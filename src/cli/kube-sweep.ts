/**
 * `faultline recover`'s second pass for Kubernetes: with a system file that names a cluster,
 * Chaos Mesh resources labelled as faultline's whose run is over are deleted even when no ledger
 * remembers them (see src/drivers/kubernetes/leftovers.ts).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadSystem } from '../experiment/loader/load-system.js';
import { listActiveRuns } from '../safety/active-runs.js';
import { sweepLeftovers, type SweepResult } from '../drivers/kubernetes/leftovers.js';
import { clusterRefFor } from '../drivers/kubernetes/target.js';

export async function sweepKubernetes(systemFile: string | undefined, stateDirs: string[], options: { allHosts?: boolean; log(m: string): void }): Promise<SweepResult | undefined> {
  const file = systemFile ?? (existsSync(resolve('faultline.yaml')) ? 'faultline.yaml' : undefined);
  if (!file) return undefined;
  const loaded = await loadSystem(file, process.cwd());
  const k8s = loaded.system.kubernetes;
  if (!k8s) return undefined;
  const live = new Set<string>();
  for (const dir of stateDirs) {
    if (!existsSync(dir)) continue;
    for (const run of (await listActiveRuns(dir)).active) live.add(run.runId);
  }
  return sweepLeftovers(clusterRefFor(k8s, loaded.dir), k8s.namespaces, live, options);
}
