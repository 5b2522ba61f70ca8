/**
 * The stand-in's etcd and watch cache in one: objects by resource, one global resourceVersion
 * counter (every write takes the next number, as etcd's revision does), and a bounded history
 * of changes that watches replay from. A watch from a version older than the history gets 410,
 * as from a real server's compacted watch cache.
 */
import { randomUUID } from 'node:crypto';
import { alreadyExists, notFound } from './errors.js';
import { builtinResources, crdResources } from './resources.js';
import { resourceKey, type KubeObject, type ResourceDef, type StoreEvent } from './types.js';

const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const specPart = ({ metadata: _m, status: _s, ...rest }: KubeObject): string => JSON.stringify(rest);

export class Store {
  private revision = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  /** Watches from a version below this one cannot be served from history. */
  private oldestServable = 0;
  private forceExpireNext = false;
  private readonly listeners = new Set<(e: StoreEvent) => void>();

  constructor(private readonly historyLimit: number) {}

  get resourceVersion(): number {
    return this.revision;
  }

  /** Built-in resources plus those of every established CRD. */
  resources(): ResourceDef[] {
    const crds = [...(this.objects.get('apiextensions.k8s.io/customresourcedefinitions')?.values() ?? [])];
    return [...builtinResources, ...crds.flatMap(crdResources)];
  }

  resolve(group: string, version: string, plural: string): ResourceDef | undefined {
    return this.resources().find((r) => r.group === group && r.version === version && r.plural === plural);
  }

  /** By plural, kind or short name (case-insensitive), for the programmatic handle. */
  byName(name: string): ResourceDef {
    const n = name.toLowerCase();
    const def = this.resources().find((r) => r.plural === n || r.kind.toLowerCase() === n || r.shortNames?.includes(n) || `${r.plural}.${r.group}` === n);
    if (!def) throw new Error(`stand-in: no resource named "${name}" is served (install its CRD first?)`);
    return def;
  }

  on(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(def: ResourceDef, ns: string | undefined, name: string): KubeObject | undefined {
    const o = this.objects.get(resourceKey(def))?.get(`${def.namespaced ? (ns ?? '') : ''}/${name}`);
    return o && structuredClone(o);
  }

  /** Sorted by namespace then name, as etcd's keys are. */
  list(def: ResourceDef, ns?: string): KubeObject[] {
    const all = [...(this.objects.get(resourceKey(def))?.values() ?? [])];
    return all
      .filter((o) => ns === undefined || !def.namespaced || o.metadata.namespace === ns)
      .sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0))
      .map((o) => structuredClone(o));
  }

  create(def: ResourceDef, input: KubeObject): KubeObject {
    const obj = structuredClone(input);
    if (!def.namespaced) delete obj.metadata.namespace;
    const bucket = this.bucket(def);
    if (bucket.has(keyOf(obj))) throw alreadyExists(def, obj.metadata.name);
    obj.apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
    obj.kind = def.kind;
    obj.metadata = {
      ...obj.metadata,
      uid: randomUUID(),
      resourceVersion: String(++this.revision),
      generation: 1,
      creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    delete obj.metadata.deletionTimestamp;
    bucket.set(keyOf(obj), obj);
    this.record({ type: 'ADDED', resource: resourceKey(def), rv: this.revision, object: obj });
    return structuredClone(obj);
  }

  /** Replace an existing object; bumps metadata.generation when anything but metadata and status changed. */
  replace(def: ResourceDef, input: KubeObject): KubeObject {
    const bucket = this.bucket(def);
    const old = bucket.get(keyOf(input));
    if (!old) throw notFound(def, input.metadata.name);
    const obj = structuredClone(input);
    obj.apiVersion = old.apiVersion;
    obj.kind = old.kind;
    obj.metadata = {
      ...obj.metadata,
      uid: old.metadata.uid,
      creationTimestamp: old.metadata.creationTimestamp,
      generation: (old.metadata.generation ?? 1) + (specPart(old) === specPart(obj) ? 0 : 1),
      resourceVersion: String(++this.revision),
    };
    if (old.metadata.deletionTimestamp) obj.metadata.deletionTimestamp = old.metadata.deletionTimestamp;
    bucket.set(keyOf(obj), obj);
    this.record({ type: 'MODIFIED', resource: resourceKey(def), rv: this.revision, object: obj, previous: old });
    return structuredClone(obj);
  }

  remove(def: ResourceDef, ns: string | undefined, name: string): KubeObject {
    const bucket = this.bucket(def);
    const key = `${def.namespaced ? (ns ?? '') : ''}/${name}`;
    const old = bucket.get(key);
    if (!old) throw notFound(def, name);
    bucket.delete(key);
    const gone = { ...old, metadata: { ...old.metadata, resourceVersion: String(++this.revision) } };
    this.record({ type: 'DELETED', resource: resourceKey(def), rv: this.revision, object: gone });
    return structuredClone(gone);
  }

  /** Changes after `rv` for `resource`, or 'expired' when the history no longer reaches back that far. */
  eventsSince(resource: string, rv: number): StoreEvent[] | 'expired' {
    if (this.forceExpireNext) {
      this.forceExpireNext = false;
      return 'expired';
    }
    if (rv < this.oldestServable) return 'expired';
    return this.history.filter((e) => e.rv > rv && e.resource === resource);
  }

  get oldestResourceVersion(): number {
    return this.oldestServable;
  }

  /** Test hook: forget the history, and answer the next watch from a given version with 410. */
  expireHistory(): void {
    this.history.length = 0;
    this.oldestServable = this.revision;
    this.forceExpireNext = true;
  }

  private bucket(def: ResourceDef): Map<string, KubeObject> {
    const key = resourceKey(def);
    let b = this.objects.get(key);
    if (!b) this.objects.set(key, (b = new Map()));
    return b;
  }

  private record(e: StoreEvent): void {
    this.history.push(e);
    while (this.history.length > this.historyLimit) this.oldestServable = this.history.shift()!.rv;
    for (const l of [...this.listeners]) l(e);
  }
}
