/**
 * The scheduler and the kubelet, imitated: a new pod is bound to the node with the fewest pods
 * (event Scheduled), goes Pending (ContainerCreating) → Running with its containers started but
 * not Ready → Ready after readyDelayMs. A pod with a deletionTimestamp gets Killing events, turns
 * not Ready and is removed after min(grace period, maxTerminatingMs). Container restarts (a kill
 * of PID 1, an OOM kill) bump restartCount, keep the exit in lastState.terminated and make the
 * container Ready again after readyDelayMs, as a restartPolicy Always pod does (other restart
 * policies are treated as Always). BackOff is recorded from the second restart on; no real
 * CrashLoopBackOff delay is imitated.
 */
import { randomBytes } from 'node:crypto';
import { now, type Cluster } from '../cluster.js';
import type { KubeObject, Loose } from '../types.js';

type ContainerStatus = Record<string, Loose>;

export class PodLifecycle {
  private ipCounter = 10;
  private readonly started = new Set<string>();
  private readonly terminating = new Set<string>();

  constructor(private readonly cluster: Cluster) {}

  private get pods() {
    return this.cluster.def('pods');
  }

  reconcile(): void {
    for (const pod of this.cluster.store.list(this.pods)) {
      const uid = pod.metadata.uid!;
      if (pod.metadata.deletionTimestamp) {
        if (!this.terminating.has(uid)) this.terminate(pod);
      } else if (!pod.spec?.nodeName) this.schedule(pod);
      else if (!this.started.has(uid) && pod.status?.phase === 'Pending') this.start(pod);
    }
  }

  private schedule(pod: KubeObject): void {
    const nodes = this.cluster.options.nodes;
    const load = new Map(nodes.map((n) => [n, 0]));
    for (const p of this.cluster.store.list(this.pods)) if (p.spec?.nodeName && load.has(p.spec.nodeName)) load.set(p.spec.nodeName, load.get(p.spec.nodeName)! + 1);
    const node = [...load].sort((a, b) => a[1] - b[1])[0]![0];
    const bound = this.cluster.mutate(this.pods, pod.metadata.namespace, pod.metadata.name, (p) => {
      p.spec.nodeName = node;
      p.status = { ...p.status, conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now() }] };
    });
    if (bound) this.cluster.event(bound, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node}`, 'default-scheduler');
  }

  private start(pod: KubeObject): void {
    const uid = pod.metadata.uid!;
    this.started.add(uid);
    const time = now();
    const nodeIndex = Math.max(0, this.cluster.options.nodes.indexOf(pod.spec.nodeName));
    const podIP = `10.244.${nodeIndex}.${this.ipCounter++ % 250}`;
    const containers = (pod.spec?.containers ?? []) as { name: string; image: string }[];
    this.cluster.mutate(this.pods, pod.metadata.namespace, pod.metadata.name, (p) => {
      p.status = {
        phase: 'Pending',
        conditions: conditions(false, time, p.status?.conditions),
        hostIP: `172.18.0.${2 + nodeIndex}`,
        hostIPs: [{ ip: `172.18.0.${2 + nodeIndex}` }],
        podIP,
        podIPs: [{ ip: podIP }],
        startTime: time,
        containerStatuses: containers.map((c) => ({ name: c.name, state: { waiting: { reason: 'ContainerCreating' } }, lastState: {}, ready: false, restartCount: 0, image: c.image, imageID: '', started: false })),
        qosClass: p.status?.qosClass ?? 'BestEffort',
      };
    });
    // Container creation takes a moment; Running comes on the next tick, Ready after readyDelayMs.
    this.cluster.later(Math.min(50, this.cluster.options.readyDelayMs / 4), () => {
      const running = this.cluster.mutate(this.pods, pod.metadata.namespace, pod.metadata.name, (p) => {
        if (p.metadata.deletionTimestamp || p.metadata.uid !== uid) return;
        const at = now();
        p.status.phase = 'Running';
        p.status.containerStatuses = (p.status.containerStatuses as ContainerStatus[]).map((c) => ({ ...c, state: { running: { startedAt: at } }, started: true, containerID: containerId() }));
      });
      if (!running || running.metadata.uid !== uid) return;
      for (const c of containers) {
        this.cluster.event(running, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`, 'kubelet');
        this.cluster.event(running, 'Normal', 'Created', `Created container ${c.name}`, 'kubelet');
        this.cluster.event(running, 'Normal', 'Started', `Started container ${c.name}`, 'kubelet');
      }
      for (const c of containers) this.readyLater(running, c.name, 0);
    });
  }

  /** Mark the container Ready after readyDelayMs, unless it restarted again meanwhile. */
  private readyLater(pod: KubeObject, container: string, restartCount: number): void {
    this.cluster.later(this.cluster.options.readyDelayMs, () => {
      this.cluster.mutate(this.pods, pod.metadata.namespace, pod.metadata.name, (p) => {
        if (p.metadata.uid !== pod.metadata.uid || p.metadata.deletionTimestamp || p.status?.phase !== 'Running') return;
        const cs = (p.status.containerStatuses as ContainerStatus[]).find((c) => c.name === container);
        if (!cs || cs.restartCount !== restartCount || !cs.state?.running) return;
        cs.ready = true;
        const allReady = (p.status.containerStatuses as ContainerStatus[]).every((c) => c.ready);
        p.status.conditions = conditions(allReady, now(), p.status.conditions);
      });
    });
  }

  private terminate(pod: KubeObject): void {
    const uid = pod.metadata.uid!;
    this.terminating.add(uid);
    for (const c of (pod.spec?.containers ?? []) as { name: string }[]) this.cluster.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, 'kubelet');
    this.cluster.mutate(this.pods, pod.metadata.namespace, pod.metadata.name, (p) => {
      if (!p.status) return;
      p.status.conditions = conditions(false, now(), p.status.conditions);
      for (const c of (p.status.containerStatuses ?? []) as ContainerStatus[]) c.ready = false;
    });
    const grace = (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
    this.cluster.later(Math.min(grace, this.cluster.options.maxTerminatingMs), () => {
      const current = this.cluster.store.get(this.pods, pod.metadata.namespace, pod.metadata.name);
      if (current?.metadata.uid === uid) this.cluster.store.remove(this.pods, pod.metadata.namespace, pod.metadata.name);
      this.started.delete(uid);
      this.terminating.delete(uid);
    });
  }

  /**
   * The container's main process ended (killed, OOM): the kubelet records the exit and starts it
   * again. Returns false when there is no such running container.
   */
  restartContainer(ns: string, name: string, container: string | undefined, exitCode: number, reason: string): boolean {
    let restarted: { pod: KubeObject; container: string; count: number } | undefined;
    this.cluster.mutate(this.pods, ns, name, (p) => {
      if (p.metadata.deletionTimestamp || p.status?.phase !== 'Running') return;
      const statuses = (p.status.containerStatuses ?? []) as ContainerStatus[];
      const cs = container ? statuses.find((c) => c.name === container) : statuses[0];
      if (!cs?.state?.running) return;
      const at = now();
      cs.lastState = { terminated: { exitCode, reason, startedAt: cs.state.running.startedAt, finishedAt: at, containerID: cs.containerID } };
      cs.restartCount += 1;
      cs.state = { running: { startedAt: at } };
      cs.containerID = containerId();
      cs.ready = false;
      p.status.conditions = conditions(false, at, p.status.conditions);
      restarted = { pod: p, container: cs.name, count: cs.restartCount };
    });
    if (!restarted) return false;
    const pod = this.cluster.store.get(this.pods, ns, name)!;
    if (restarted.count >= 2) this.cluster.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${restarted.container} in pod ${name}_${ns}(${pod.metadata.uid})`, 'kubelet');
    this.cluster.event(pod, 'Normal', 'Started', `Started container ${restarted.container}`, 'kubelet');
    this.readyLater(pod, restarted.container, restarted.count);
    return true;
  }

  /** Node-pressure eviction: the pod fails with reason Evicted and stays (its controller replaces it). */
  evict(ns: string, name: string): boolean {
    const evicted = this.cluster.mutate(this.pods, ns, name, (p) => {
      const at = now();
      p.status.phase = 'Failed';
      p.status.reason = 'Evicted';
      p.status.message = 'The node was low on resource: memory. ';
      p.status.conditions = [...conditions(false, at, p.status.conditions), { type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message: 'The node was low on resource: memory. ', lastProbeTime: null, lastTransitionTime: at }];
      p.status.containerStatuses = ((p.status.containerStatuses ?? []) as ContainerStatus[]).map((c) => ({ ...c, ready: false, started: false, state: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', startedAt: c.state?.running?.startedAt, finishedAt: at } } }));
    });
    if (evicted) this.cluster.event(evicted, 'Warning', 'Evicted', 'The node was low on resource: memory. ', 'kubelet');
    return evicted !== undefined;
  }
}

const containerId = (): string => `containerd://${randomBytes(32).toString('hex')}`;

/** Pod conditions with transition times kept for those whose status did not change. */
function conditions(ready: boolean, time: string, previous: { type: string; status: string; lastTransitionTime?: string }[] | undefined): Record<string, Loose>[] {
  const want: [string, boolean, string?][] = [
    ['PodReadyToStartContainers', true],
    ['Initialized', true],
    ['Ready', ready, ready ? undefined : 'ContainersNotReady'],
    ['ContainersReady', ready, ready ? undefined : 'ContainersNotReady'],
    ['PodScheduled', true],
  ];
  return want.map(([type, ok, reason]) => {
    const status = ok ? 'True' : 'False';
    const old = previous?.find((c) => c.type === type);
    return { type, status, lastProbeTime: null, lastTransitionTime: old?.status === status ? old.lastTransitionTime : time, ...(reason ? { reason } : {}) };
  });
}
