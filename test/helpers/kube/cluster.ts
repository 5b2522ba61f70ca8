/**
 * What the stand-in's API handlers and controllers share: the store, the options, timers that
 * close() cancels, core Events, and deletion (graceful for pods, garbage collection of dependents
 * by ownerReferences, as kube-controller-manager's garbage collector does).
 */
import { randomBytes } from 'node:crypto';
import { applyDefaults } from './defaults.js';
import { StatusError } from './errors.js';
import type { Store } from './store.js';
import type { KubeObject, ResourceDef } from './types.js';

export interface StandInOptions {
  /** How long a new or restarted container stays not Ready (ms). */
  readyDelayMs: number;
  /** How long Chaos Mesh's imitation takes to inject (ms). */
  chaosInjectDelayMs: number;
  nodes: string[];
  namespaces: string[];
  /** Watch history kept for replays (events). */
  watchHistory: number;
  bookmarkIntervalMs: number;
  /** The longest a pod stays Terminating, whatever its grace period (ms). */
  maxTerminatingMs: number;
}

/** `fieldValidation` is the request's query parameter (Strict, Warn, Ignore or absent). */
export type Admission = (op: 'CREATE' | 'UPDATE', def: ResourceDef, obj: KubeObject, old: KubeObject | undefined, fieldValidation: string | undefined) => void;

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
}

const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
/** Random suffix as apimachinery's rand.String makes them (no vowels, no look-alikes). */
export const randomSuffix = (n = 5): string => [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');

export const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export class Cluster {
  readonly admission: Admission[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Event names by (object uid, reason, message), so a repeat bumps the count instead of adding one. */
  private readonly eventNames = new Map<string, string>();
  private closed = false;

  constructor(
    readonly store: Store,
    readonly options: StandInOptions,
  ) {}

  def(plural: string, group = ''): ResourceDef {
    const def = this.store.resources().find((r) => r.plural === plural && r.group === group);
    if (!def) throw new Error(`stand-in: ${plural}.${group} is not served`);
    return def;
  }

  /** Run `fn` after `ms` unless the server closed first; errors from a vanished object are expected and dropped. */
  later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.closed) return;
      try {
        fn();
      } catch (err) {
        if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
      }
    }, ms);
    this.timers.add(t);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Create as a controller does through the API: defaults applied, no admission. */
  create(def: ResourceDef, obj: KubeObject): KubeObject {
    applyDefaults(def, obj);
    return this.store.create(def, obj);
  }

  /** Replace an object after `change` edits a fresh copy; does nothing if the object is gone or unchanged. */
  mutate(def: ResourceDef, ns: string | undefined, name: string, change: (o: KubeObject) => void): KubeObject | undefined {
    const current = this.store.get(def, ns, name);
    if (!current) return undefined;
    const before = JSON.stringify(current);
    change(current);
    if (JSON.stringify(current) === before) return current;
    return this.store.replace(def, current);
  }

  /**
   * A core v1 Event, as the kubelet and controllers record them: one object per (object, reason,
   * message), its count and lastTimestamp bumped when it repeats.
   */
  event(involved: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, source: string): void {
    const def = this.def('events');
    const ns = involved.metadata.namespace ?? 'default';
    const key = `${involved.metadata.uid}\n${reason}\n${message}`;
    const seen = this.eventNames.get(key);
    const existing = seen === undefined ? undefined : this.store.get(def, ns, seen);
    const time = now();
    if (existing) {
      existing.count = (existing.count ?? 1) + 1;
      existing.lastTimestamp = time;
      this.store.replace(def, existing);
      return;
    }
    const name = `${involved.metadata.name}.${Date.now().toString(16)}${randomBytes(2).toString('hex')}`;
    this.eventNames.set(key, name);
    this.store.create(def, {
      metadata: { name, namespace: ns },
      involvedObject: { kind: involved.kind, namespace: involved.metadata.namespace, name: involved.metadata.name, uid: involved.metadata.uid, apiVersion: involved.apiVersion, resourceVersion: involved.metadata.resourceVersion },
      reason,
      message,
      type,
      source: { component: source },
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
      reportingComponent: source,
      reportingInstance: '',
    });
  }

  /**
   * Delete as the API server does: a scheduled pod with a grace period first gets a
   * deletionTimestamp (the kubelet imitation removes it when its containers have stopped);
   * anything else goes now, and its dependents with it unless the policy is Orphan.
   */
  delete(def: ResourceDef, ns: string | undefined, name: string, options: DeleteOptions = {}): KubeObject {
    const current = this.store.get(def, ns, name);
    if (!current) return this.store.remove(def, ns, name); // throws NotFound
    if (def.kind === 'Pod' && def.group === '' && current.spec?.nodeName && current.status?.phase !== 'Failed' && current.status?.phase !== 'Succeeded') {
      const grace = options.gracePeriodSeconds ?? current.metadata.deletionGracePeriodSeconds ?? current.spec?.terminationGracePeriodSeconds ?? 30;
      if (grace > 0) {
        if (current.metadata.deletionTimestamp) return current;
        current.metadata.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
        current.metadata.deletionGracePeriodSeconds = grace;
        return this.store.replace(def, current);
      }
    }
    // Finalizers are not honoured: nothing here would ever remove them (a real server waits).
    const gone = this.store.remove(def, ns, name);
    this.collectDependents(gone, options.propagationPolicy ?? 'Background');
    return gone;
  }

  private collectDependents(owner: KubeObject, policy: string): void {
    const uid = owner.metadata.uid;
    if (owner.kind === 'Namespace') {
      // The namespace controller empties a deleted namespace (a real one is Terminating meanwhile).
      for (const def of this.store.resources().filter((r) => r.namespaced)) for (const o of this.store.list(def, owner.metadata.name)) this.store.remove(def, o.metadata.namespace, o.metadata.name);
      return;
    }
    for (const def of this.store.resources()) {
      if (!def.namespaced) continue;
      for (const o of this.store.list(def, owner.metadata.namespace)) {
        if (!o.metadata.ownerReferences?.some((r) => r.uid === uid)) continue;
        if (policy === 'Orphan') {
          o.metadata.ownerReferences = o.metadata.ownerReferences.filter((r) => r.uid !== uid);
          this.store.replace(def, o);
        } else {
          try {
            this.delete(def, o.metadata.namespace, o.metadata.name, { propagationPolicy: 'Background' });
          } catch (err) {
            if (!(err instanceof StatusError && err.code === 404)) throw err;
          }
        }
      }
    }
  }
}
