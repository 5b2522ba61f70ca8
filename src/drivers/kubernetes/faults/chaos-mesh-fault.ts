/**
 * A Chaos Mesh fault as a faultline fault kind: the same life as every other fault.
 * - plan(): the resource's name and where it lives — "delete it" is the undo, in the ledger
 *   before the resource exists;
 * - inject(): create it with the step's `duration` (Chaos Mesh ends it on its own even if faultline
 *   and its reaper both die), labelled with the run id, and wait until Chaos Mesh reports it
 *   injected (its AllInjected condition) before the fault counts as applied; a record that failed,
 *   or no pod selected, is an injection failure with Chaos Mesh's own message;
 * - revert(): delete it (gone already is fine).
 * The resources themselves (selector, mode, each kind's fields) come from ../chaos-mesh/.
 */
import { randomUUID } from 'node:crypto';
import { TargetError } from '../../../errors/index.js';
import type { FaultKind, RevertInfo } from '../../../faults/types.js';
import { sleep } from '../../../util/sleep.js';
import { chaosMeshCrdName, chaosMeshResource, type ChaosMeshKind, type ChaosMeshSelection } from '../chaos-mesh/index.js';
import { Cluster, type ClusterRef } from '../cluster.js';
import { CHAOS_MESH_GROUP, CHAOS_MESH_VERSION, ownershipLabels } from '../leftovers.js';
import { podReach } from './choose.js';
import type { KubernetesFaultTarget } from '../target.js';
import type { PodMode } from '../pod-mode.js';


/** How long Chaos Mesh may take to report a resource injected before the injection fails. */
const INJECT_TIMEOUT_MS = 60_000;
/**
 * Selected is False both before the controller has looked and when the selector matched no pod:
 * only when it stays False this long does the injection fail as "selected no pods".
 */
const SELECT_TIMEOUT_MS = 15_000;
/**
 * Chaos Mesh counts `duration` from when it starts injecting; faultline holds the fault for the
 * step's duration from when Chaos Mesh says it is injected, then deletes it. The margin keeps
 * Chaos Mesh from ending it first (which would make the run report a fault it no longer held);
 * it only matters when faultline and its reaper both died.
 */
export const DURATION_MARGIN_MS = 10_000;

interface Condition {
  type?: string;
  status?: string;
}
interface ChaosStatus {
  conditions?: Condition[];
  experiment?: { containerRecords?: { id?: string; phase?: string; events?: { type?: string; operation?: string; message?: string }[] }[] };
}

/** Chaos Mesh's verdict on a resource so far: injected, failed (why), or not yet (and whether any pod is selected yet). */
export function injectionState(status: ChaosStatus | undefined): { state: 'injected' } | { state: 'failed'; reason: string } | { state: 'pending'; selected: boolean } {
  const conditions = status?.conditions ?? [];
  const is = (type: string, value: string) => conditions.some((c) => c.type === type && c.status === value);
  const failures = (status?.experiment?.containerRecords ?? []).flatMap((r) => (r.events ?? []).filter((e) => e.type === 'Failed' && e.operation !== 'Recover').map((e) => `${r.id ?? '?'}: ${e.message ?? 'failed'}`));
  if (failures.length > 0) return { state: 'failed', reason: failures.join('; ') };
  if (is('AllInjected', 'True')) return { state: 'injected' };
  return { state: 'pending', selected: is('Selected', 'True') };
}

const crdCache = new Map<string, Promise<Set<string>>>();

async function requireCrd(cluster: Cluster, kind: ChaosMeshKind): Promise<void> {
  const key = `${cluster.ref.kubeconfig ?? ''}\n${cluster.ref.context}`;
  let names = crdCache.get(key);
  if (!names) {
    names = cluster.crdNames();
    crdCache.set(key, names);
    names.catch(() => crdCache.delete(key));
  }
  const crd = chaosMeshCrdName(kind);
  if (!(await names).has(crd)) {
    throw new Error(`${kind.name} on Kubernetes needs Chaos Mesh: the CustomResourceDefinition ${crd} is not installed in ${cluster.label} (install Chaos Mesh, see docs/kubernetes.md)`);
  }
}

function selectionOf(target: KubernetesFaultTarget): ChaosMeshSelection {
  return { namespace: target.namespace, labelSelectors: target.selector, ...(target.container !== undefined ? { containerNames: [target.container] } : {}) };
}

export function chaosMeshFault<P>(kind: ChaosMeshKind<P>): FaultKind<P, KubernetesFaultTarget> {
  return {
    name: kind.name,
    driver: 'kubernetes',
    summary: `${kind.summary} (Chaos Mesh ${kind.crdKind})`,
    timing: kind.timing,
    revertSummary: `delete the ${kind.crdKind} (Chaos Mesh restores the pods)`,
    params: kind.params,
    reach: (target, p) => podReach(target, ((p as { mode?: PodMode }).mode ?? 'one') as PodMode),
    check: async (target) => requireCrd(await Cluster.connect(target.cluster), kind),
    plan(target): RevertInfo {
      return {
        cluster: target.cluster,
        group: CHAOS_MESH_GROUP,
        version: CHAOS_MESH_VERSION,
        plural: kind.plural,
        namespace: target.namespace,
        name: `faultline-${kind.name}-${randomUUID().slice(0, 8)}`,
      };
    },
    async inject(target, params, ctx) {
      const cluster = await Cluster.connect(target.cluster);
      await requireCrd(cluster, kind);
      const peers: Record<string, ChaosMeshSelection> = {};
      for (const service of kind.peers?.(params) ?? []) {
        const p = await target.peer(service);
        peers[service] = { namespace: p.namespace, labelSelectors: p.selector };
      }
      const name = (ctx.revertInfo?.name as string | undefined) ?? (this.plan(target, params).name as string);
      const resource = chaosMeshResource(kind, params, selectionOf(target), {
        name,
        // What `recover` finds it by, even without the ledger.
        labels: ownershipLabels(ctx.runId),
        annotations: { 'faultline.dev/service': target.service },
        ...(ctx.durationMs !== undefined ? { durationMs: ctx.durationMs + DURATION_MARGIN_MS } : {}),
        peers,
      });
      await cluster.createCustom(CHAOS_MESH_GROUP, CHAOS_MESH_VERSION, kind.plural, target.namespace, resource);
      const where = `${kind.crdKind} ${target.namespace}/${name}`;
      const started = Date.now();
      for (;;) {
        ctx.signal.throwIfAborted();
        const obj = await cluster.getCustom(CHAOS_MESH_GROUP, CHAOS_MESH_VERSION, kind.plural, target.namespace, name);
        if (!obj) throw new TargetError(`${where} was deleted before Chaos Mesh injected it`, target.service);
        const verdict = injectionState(obj.status as ChaosStatus | undefined);
        if (verdict.state === 'injected') break;
        if (verdict.state === 'failed') throw new TargetError(`${where}: ${verdict.reason}`, target.service);
        const waited = Date.now() - started;
        if (!verdict.selected && waited > SELECT_TIMEOUT_MS) throw new TargetError(`${where}: Chaos Mesh selected no pods (its Selected condition stayed False for ${SELECT_TIMEOUT_MS / 1000} s): do the service's labels match running pods?`, target.service);
        if (waited > INJECT_TIMEOUT_MS) throw new TargetError(`${where}: Chaos Mesh did not report it injected within ${INJECT_TIMEOUT_MS / 1000} s (is its controller running? kubectl describe ${kind.plural} -n ${target.namespace} ${name})`, target.service);
        await sleep(200, ctx.signal);
      }
      const records = ((await cluster.getCustom(CHAOS_MESH_GROUP, CHAOS_MESH_VERSION, kind.plural, target.namespace, name))?.status as ChaosStatus | undefined)?.experiment?.containerRecords ?? [];
      return { details: { resource: `${kind.plural}/${name}`, namespace: target.namespace, injected: records.filter((r) => r.phase === 'Injected').map((r) => r.id ?? '?') } };
    },
    revert: (info) => revertChaos(info),
  };
}

async function revertChaos(info: RevertInfo): Promise<void> {
  const cluster = await Cluster.connect(info.cluster as ClusterRef);
  await cluster.deleteCustom(info.group as string, info.version as string, info.plural as string, info.namespace as string, info.name as string);
}

