/**
 * The recovery view from the cluster: one list + watch of a service's pods (resumed from the last
 * resourceVersion when the stream ends, listed again on 410 Gone), turned into the lifecycle events
 * the run records for processes and containers — a pod or container gone (with OOMKilled and
 * evictions said as such), a replacement pod, a pod Ready again — and the namespace's Kubernetes
 * events about those pods, as log lines.
 */
import type { DriverServiceEvent } from '../../faults/driver.js';
import type { Cluster, Pod, WatchEvent } from './cluster.js';
import { selectorString } from './cluster.js';

/** Normal events worth a line: a pod being stopped, evicted or preempted. */
const NOTABLE = new Set(['Killing', 'Evicted', 'Preempting', 'OOMKilling', 'NodeNotReady']);

interface PodState {
  ready: boolean;
  /** Deleted (deletionTimestamp set): it no longer counts, though it may still stop for a while. */
  terminating: boolean;
  restarts: Record<string, number>;
  failed: boolean;
}

export interface PodWatchOptions {
  service: string;
  namespace: string;
  selector: Record<string, string>;
  onEvent(event: DriverServiceEvent): void;
  log(message: string): void;
}

function stateOf(pod: Pod): PodState {
  return {
    ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    terminating: pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null,
    restarts: Object.fromEntries((pod.status?.containerStatuses ?? []).map((c) => [c.name, c.restartCount])),
    failed: pod.status?.phase === 'Failed',
  };
}

export class PodWatch {
  private readonly pods = new Map<string, PodState>();
  private stopWatch: (() => void) | undefined;
  private stopEvents: (() => void) | undefined;
  private stopped = false;
  private resourceVersion = '';
  private listed = false;
  private failing = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly cluster: Cluster,
    private readonly options: PodWatchOptions,
  ) {}

  /** Lists the pods (the state events are judged against) and starts watching from there. */
  async start(): Promise<void> {
    await this.relist();
    await this.watchPods();
    await this.watchEvents().catch((err: unknown) => this.options.log(`kubernetes: not following events in ${this.options.namespace}: ${(err as Error).message}`));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.stopWatch?.();
    this.stopEvents?.();
  }

  private async relist(): Promise<void> {
    const { items, resourceVersion } = await this.cluster.listPodsWithVersion(this.options.namespace, this.options.selector);
    this.resourceVersion = resourceVersion;
    const seen = new Set<string>();
    const first = !this.listed;
    this.listed = true;
    for (const pod of items) {
      const name = pod.metadata?.name ?? '';
      seen.add(name);
      // Pods that came while the watch was down count as they would have.
      if (!first && !this.pods.has(name)) this.emit('spawn', name, { restart: true });
      this.pods.set(name, stateOf(pod));
    }
    for (const name of [...this.pods.keys()]) {
      if (!seen.has(name)) {
        const was = this.pods.get(name);
        this.pods.delete(name);
        if (!was?.terminating) this.emit('exit', name, { signal: 'deleted' });
      }
    }
  }

  private async watchPods(): Promise<void> {
    const path = `/api/v1/namespaces/${this.options.namespace}/pods`;
    const query = { labelSelector: selectorString(this.options.selector), resourceVersion: this.resourceVersion, allowWatchBookmarks: true };
    this.stopWatch = await this.cluster.watch(path, query, (e) => this.onPodEvent(e), (err) => this.onDone(err));
  }

  /** The stream ended (a timeout, the server, a 410): resume, listing again when the version is too old. */
  private onDone(err: unknown): void {
    if (this.stopped) return;
    const gone = (err as { code?: number; statusCode?: number } | null)?.code === 410 || /too old|expired|gone/i.test(String((err as Error | null)?.message ?? ''));
    // A stream the server ended on its own (its timeout) resumes at once; after an error, a pause,
    // so a server that keeps refusing is not asked in a tight loop.
    this.retry = setTimeout(
      () => {
        void (async () => {
          try {
            if (gone || !this.resourceVersion) await this.relist();
            if (!this.stopped) await this.watchPods();
            this.failing = false;
          } catch (e) {
            // Once per outage, not once per retry.
            if (!this.failing) this.options.log(`kubernetes: watching ${this.options.service}'s pods: ${(e as Error).message}; retrying`);
            this.failing = true;
            if (!this.stopped) this.onDone(e);
          }
        })();
      },
      err ? 500 : 50,
    );
  }

  private onPodEvent(e: WatchEvent): void {
    const meta = e.object.metadata as { name?: string; resourceVersion?: string } | undefined;
    if (e.type === 'ERROR') {
      // A 410 inside the stream: list again from now.
      const code = (e.object as { code?: number }).code;
      this.resourceVersion = code === 410 ? '' : this.resourceVersion;
      return;
    }
    if (meta?.resourceVersion) this.resourceVersion = meta.resourceVersion;
    if (e.type === 'BOOKMARK' || !meta?.name) return;
    const name = meta.name;
    const pod = e.object as Pod;
    const before = this.pods.get(name);
    if (e.type === 'DELETED') {
      if (before && !before.terminating) this.emit('exit', name, { signal: 'deleted' });
      this.pods.delete(name);
      return;
    }
    const now = stateOf(pod);
    this.pods.set(name, now);
    // A pod is gone for the service when it is deleted, not when its containers have finished stopping.
    if (now.terminating) {
      if (before && !before.terminating) this.emit('exit', name, { signal: 'deleted' });
      return;
    }
    if (!before) {
      this.emit('spawn', name, { restart: true });
      if (now.ready) this.emit('ready', name, {});
      return;
    }
    for (const status of pod.status?.containerStatuses ?? []) {
      if (status.restartCount > (before.restarts[status.name] ?? 0)) {
        const ended = status.lastState?.terminated;
        this.emit('exit', `${name}/${status.name}`, { code: ended?.exitCode ?? null, ...(ended?.reason === 'OOMKilled' ? { oom: true } : {}), restart: true });
      }
    }
    if (now.failed && !before.failed) this.emit('exit', name, { signal: pod.status?.reason ?? 'Failed' });
    if (now.ready && !before.ready) this.emit('ready', name, {});
  }

  private emit(type: DriverServiceEvent['type'], container: string, extra: Partial<DriverServiceEvent>): void {
    this.options.onEvent({ service: this.options.service, type, container, wallTime: Date.now(), mono: performance.now(), ...extra });
  }

  /** Kubernetes events about this service's pods (Killing, BackOff, OOMKilling, Evicted…), as log lines. */
  private async watchEvents(): Promise<void> {
    const path = `/api/v1/namespaces/${this.options.namespace}/events`;
    const since = Date.now();
    this.stopEvents = await this.cluster.watch(
      path,
      { fieldSelector: 'involvedObject.kind=Pod', resourceVersion: this.resourceVersion },
      (e) => {
        if (e.type !== 'ADDED' && e.type !== 'MODIFIED') return;
        const ev = e.object as { involvedObject?: { name?: string }; reason?: string; message?: string; type?: string; lastTimestamp?: string };
        const pod = ev.involvedObject?.name ?? '';
        if (!this.pods.has(pod) && !this.belongs(pod)) return;
        if (ev.lastTimestamp && Date.parse(ev.lastTimestamp) < since - 1000) return;
        // The routine ones (Scheduled, Pulled, Created, Started) are in the pod events already.
        if (ev.type !== 'Warning' && !NOTABLE.has(ev.reason ?? '')) return;
        this.options.log(`kubernetes event: ${this.options.service} pod ${pod}: ${ev.reason ?? ''}${ev.type === 'Warning' ? ' (warning)' : ''}: ${ev.message ?? ''}`);
      },
      () => undefined,
    );
  }

  /** A pod name this service had or has (events can outlive the pod they are about). */
  private belongs(pod: string): boolean {
    return [...this.pods.keys()].some((p) => p.slice(0, p.lastIndexOf('-')) === pod.slice(0, pod.lastIndexOf('-')));
  }
}
