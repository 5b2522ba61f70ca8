/**
 * Chaos Mesh's controller-manager, imitated for the chaos kinds (everything in chaos-mesh.org
 * but Schedule and Workflow). After chaosInjectDelayMs it selects pods (spec.selector: namespaces
 * — the object's own when none is given, as Chaos Mesh's webhook defaults it — pods, labelSelectors,
 * expressionSelectors, annotationSelectors, nodes, podPhaseSelectors; spec.mode/value) and
 * writes status the way Chaos Mesh 2.x does, in the shape its published CRD declares
 * (status.conditions of types Selected/AllInjected/AllRecovered/Paused; status.experiment with
 * desiredPhase Run|Stop and containerRecords {id, selectorKey, phase "Injected"|"Not Injected",
 * injectedCount, recoveredCount, events [{type Succeeded|Failed, operation Apply|Recover,
 * message, timestamp}]}: field names and enums as the status schema of the CRDs in
 * ../shared/k8s/chaos-mesh declares them; condition types, phases and event values from
 * chaos-mesh/chaos-mesh api/v1alpha1 (ChaosStatus, ExperimentStatus, Record) and the records and
 * condition controllers under controllers/common). When spec.duration has passed it recovers: AllRecovered True,
 * desiredPhase Stop, and the object stays, as Chaos Mesh leaves it.
 * Only PodChaos has an effect on the stand-in's pods: pod-kill deletes them (gracePeriod
 * honoured), container-kill restarts the named containers. The others change nothing but status.
 * Deleting a chaos object takes effect at once (Chaos Mesh's finalizer, which recovers first, is
 * not imitated). The pause annotation is not honoured.
 */
import { now, type Cluster } from '../cluster.js';
import type { PodLifecycle } from '../controllers/pods.js';
import { fieldMatcher, selectorMatcher } from '../selectors.js';
import type { KubeObject, Loose } from '../types.js';

/** Go's time.ParseDuration, to milliseconds. */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const m = /^([-+]?)((?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(text);
  if (!m) return undefined;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const part of m[2]!.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(part[1]) * unit[part[2]!]!;
  return m[1] === '-' ? -total : total;
}

/** Kinds whose records are per container ("<ns>/<pod>/<container>"), the others per pod. */
const perContainer = new Set(['StressChaos', 'IOChaos', 'TimeChaos']);

type Record_ = { id: string; selectorKey: string; phase: 'Injected' | 'Not Injected'; injectedCount: number; recoveredCount: number; events?: { type: 'Succeeded' | 'Failed'; operation: 'Apply' | 'Recover'; message?: string; timestamp: string }[] };

export class ChaosController {
  private failure: ((obj: KubeObject) => string | undefined) | undefined;
  private readonly active = new Map<string, { resource: string; ns: string; name: string }>();

  constructor(
    private readonly cluster: Cluster,
    private readonly pods: PodLifecycle,
  ) {
    cluster.store.on((e) => {
      if (!e.resource.startsWith('chaos-mesh.org/') || ['Schedule', 'Workflow'].includes(e.object.kind ?? '')) return;
      const uid = e.object.metadata.uid!;
      if (e.type === 'ADDED') {
        setImmediate(() => this.start(e.object));
        cluster.later(cluster.options.chaosInjectDelayMs, () => this.inject(e.resource, e.object));
      } else if (e.type === 'DELETED') this.active.delete(uid);
    });
  }

  failInjection(match: ((obj: KubeObject) => string | undefined) | undefined): void {
    this.failure = match;
  }

  /** Objects injected and not yet recovered (current copies). */
  activeChaos(): KubeObject[] {
    const out: KubeObject[] = [];
    for (const { resource, ns, name } of this.active.values()) {
      const [group, plural] = resource.split('/') as [string, string];
      const def = this.cluster.store.resources().find((r) => r.group === group && r.plural === plural);
      const o = def && this.cluster.store.get(def, ns, name);
      if (o) out.push(o);
    }
    return out;
  }

  private defOf(o: KubeObject) {
    return this.cluster.store.resources().find((r) => r.group === 'chaos-mesh.org' && r.kind === o.kind)!;
  }

  private writeStatus(o: KubeObject, status: Loose): KubeObject | undefined {
    return this.cluster.mutate(this.defOf(o), o.metadata.namespace, o.metadata.name, (x) => {
      if (x.metadata.uid !== o.metadata.uid) return;
      x.status = status;
    });
  }

  private conditions(selected: boolean, injected: boolean, recovered: boolean): Record<string, string>[] {
    return [
      { type: 'Selected', status: selected ? 'True' : 'False' },
      { type: 'AllInjected', status: injected ? 'True' : 'False' },
      { type: 'AllRecovered', status: recovered ? 'True' : 'False' },
      { type: 'Paused', status: 'False' },
    ];
  }

  /** What Chaos Mesh writes as soon as it sees the object: nothing selected or injected yet. */
  private start(o: KubeObject): void {
    if (this.cluster.isClosed) return;
    this.writeStatus(o, { conditions: this.conditions(false, false, false), experiment: { desiredPhase: 'Run' } });
  }

  private select(o: KubeObject): KubeObject[] {
    const spec = o.spec ?? {};
    const sel = spec.selector ?? {};
    const podDef = this.cluster.def('pods');
    const namedPods = Object.entries((sel.pods ?? {}) as Record<string, string[]>).flatMap(([ns, names]) => names.map((n) => this.cluster.store.get(podDef, ns, n)).filter((p): p is KubeObject => p !== undefined));
    const namespaces: string[] = sel.namespaces ?? (sel.pods ? [] : [o.metadata.namespace!]);
    const byLabels = selectorMatcher({ matchLabels: sel.labelSelectors, matchExpressions: sel.expressionSelectors });
    const byAnnotations = (p: KubeObject): boolean => Object.entries((sel.annotationSelectors ?? {}) as Record<string, string>).every(([k, v]) => p.metadata.annotations?.[k] === v);
    const byFields = fieldMatcher(Object.entries((sel.fieldSelectors ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',') || undefined, 'Pod');
    const candidates = sel.pods
      ? namedPods
      : namespaces.flatMap((ns) => this.cluster.store.list(podDef, ns)).filter((p) => byLabels(p) && byAnnotations(p) && byFields(p) && (!sel.nodes || sel.nodes.includes(p.spec?.nodeName)) && (!sel.podPhaseSelectors || sel.podPhaseSelectors.includes(p.status?.phase)));
    const alive = candidates.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded');
    const shuffled = [...alive].sort(() => Math.random() - 0.5);
    const value = Number(spec.value ?? 0);
    switch (spec.mode) {
      case 'one':
        return shuffled.slice(0, 1);
      case 'fixed':
        return shuffled.slice(0, value);
      case 'fixed-percent':
        return shuffled.slice(0, Math.floor((alive.length * value) / 100));
      case 'random-max-percent':
        return shuffled.slice(0, Math.floor((alive.length * Math.floor(Math.random() * (value + 1))) / 100));
      default:
        return alive;
    }
  }

  private inject(resource: string, created: KubeObject): void {
    const def = this.defOf(created);
    const o = this.cluster.store.get(def, created.metadata.namespace, created.metadata.name);
    if (!o || o.metadata.uid !== created.metadata.uid) return;
    const targets = this.select(o);
    const time = now();
    if (targets.length === 0) {
      this.writeStatus(o, { conditions: this.conditions(false, false, false), experiment: { desiredPhase: 'Run' } });
      this.cluster.event(o, 'Warning', 'Failed', 'Failed to select targets: no pod is selected', 'records');
      return;
    }
    const containerIds = (p: KubeObject): string[] => {
      const names: string[] = o.spec?.containerNames?.length ? o.spec.containerNames : ((p.spec?.containers ?? []) as { name: string }[]).map((c) => c.name);
      return names.map((c) => `${p.metadata.namespace}/${p.metadata.name}/${c}`);
    };
    const containerKill = o.kind === 'PodChaos' && o.spec?.action === 'container-kill';
    const ids = targets.flatMap((p) => (perContainer.has(o.kind!) || containerKill ? containerIds(p) : [`${p.metadata.namespace}/${p.metadata.name}`]));
    const failed = this.failure?.(o);
    if (failed !== undefined) {
      const records: Record_[] = ids.map((id) => ({ id, selectorKey: '.', phase: 'Not Injected', injectedCount: 0, recoveredCount: 0, events: [{ type: 'Failed', operation: 'Apply', message: failed, timestamp: time }] }));
      this.writeStatus(o, { conditions: this.conditions(true, false, false), experiment: { desiredPhase: 'Run', containerRecords: records } });
      this.cluster.event(o, 'Warning', 'Failed', `Failed to apply chaos: ${failed}`, 'records');
      return;
    }
    if (o.kind === 'PodChaos' && o.spec?.action === 'pod-kill') {
      const podDef = this.cluster.def('pods');
      for (const p of targets) this.cluster.delete(podDef, p.metadata.namespace, p.metadata.name, { gracePeriodSeconds: o.spec?.gracePeriod ?? 0 });
    }
    if (containerKill) for (const id of ids) {
      const [ns, pod, container] = id.split('/') as [string, string, string];
      this.pods.restartContainer(ns, pod, container, 137, 'Error');
    }
    const records: Record_[] = ids.map((id) => ({ id, selectorKey: '.', phase: 'Injected', injectedCount: 1, recoveredCount: 0, events: [{ type: 'Succeeded', operation: 'Apply', timestamp: time }] }));
    const injected = this.writeStatus(o, { conditions: this.conditions(true, true, false), experiment: { desiredPhase: 'Run', containerRecords: records } });
    if (!injected) return;
    this.active.set(o.metadata.uid!, { resource, ns: o.metadata.namespace!, name: o.metadata.name });
    for (const id of ids) this.cluster.event(injected, 'Normal', 'Applied', `Successfully apply chaos for ${id}`, 'records');
    const duration = typeof o.spec?.duration === 'string' ? parseGoDuration(o.spec.duration) : undefined;
    if (duration !== undefined) this.cluster.later(duration, () => this.recover(injected));
  }

  private recover(o: KubeObject): void {
    const def = this.defOf(o);
    const current = this.cluster.store.get(def, o.metadata.namespace, o.metadata.name);
    if (!current || current.metadata.uid !== o.metadata.uid) return;
    const time = now();
    const records = ((current.status?.experiment?.containerRecords ?? []) as Record_[]).map((r) => ({ ...r, phase: 'Not Injected' as const, recoveredCount: r.recoveredCount + 1, events: [...(r.events ?? []), { type: 'Succeeded' as const, operation: 'Recover' as const, timestamp: time }] }));
    const recovered = this.writeStatus(current, { conditions: this.conditions(true, false, true), experiment: { desiredPhase: 'Stop', containerRecords: records } });
    this.active.delete(o.metadata.uid!);
    if (recovered) for (const r of records) this.cluster.event(recovered, 'Normal', 'Recovered', `Successfully recover chaos for ${r.id}`, 'records');
  }
}
