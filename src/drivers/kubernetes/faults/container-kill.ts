/**
 * `container-kill` on a kubernetes service: stop one container of some pods by signalling its
 * PID 1 through `kubectl exec`'s API (pods/exec). The kubelet restarts the container under the
 * pod's restartPolicy; that restart is what the run measures. The kernel ignores a signal to a
 * namespace's PID 1 that the process has no handler for, whoever sends it from inside — so SIGKILL
 * never works this way, and SIGTERM only where PID 1 handles it (most servers; a bare `node`
 * does not): docs/kubernetes.md says what a cluster needs, and Chaos Mesh's PodChaos
 * container-kill is the way for images that do not.
 */
import { z } from 'zod';
import { TargetError } from '../../../errors/index.js';
import type { FaultKind } from '../../../faults/types.js';
import { Cluster } from '../cluster.js';
import { describeMode, podMode, podsFor } from '../pod-mode.js';
import type { KubernetesFaultTarget } from '../target.js';
import { choosePods, podReach } from './choose.js';

const params = z.strictObject({
  mode: podMode,
  container: z.string().min(1).optional().describe('The container (default: the service\'s kubernetes.container, else the pod\'s first)'),
  signal: z.enum(['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP']).default('SIGTERM').describe('The signal for PID 1 (it must handle it: the kernel drops unhandled signals to a namespace\'s init)'),
});
export type KubernetesContainerKillParams = z.output<typeof params>;

export const kubernetesContainerKillFault: FaultKind<KubernetesContainerKillParams, KubernetesFaultTarget> = {
  name: 'container-kill',
  driver: 'kubernetes',
  summary: 'Signal PID 1 of one container in some pods (pods/exec), so the kubelet restarts it',
  timing: 'instant',
  revertSummary: 'nothing to undo: the kubelet restarts the container (that is what is measured)',
  params,
  reach: (target, p) => podReach(target, p.mode),
  plan: (target, p) => ({ cluster: target.cluster, namespace: target.namespace, mode: describeMode(p.mode), pods: podsFor(p.mode, target.pods.length) }),
  async inject(target, p) {
    const cluster = await Cluster.connect(target.cluster);
    const pods = await choosePods(cluster, target, p.mode);
    if (pods.length === 0) throw new TargetError(`${target.label}: no running pods`, target.service);
    const signal = p.signal.slice(3);
    const killed: string[] = [];
    for (const pod of pods) {
      const container = p.container ?? target.container ?? target.pods.find((x) => x.name === pod)?.containers[0] ?? (await firstContainer(cluster, target, pod));
      const { code, stderr } = await cluster.exec(target.namespace, pod, container, ['kill', '-s', signal, '1']);
      if (code !== 0) throw new TargetError(`${pod}/${container}: \`kill -s ${signal} 1\` exited ${code}${stderr.trim() ? `: ${stderr.trim()}` : ''} (the image needs a kill command; see docs/kubernetes.md)`, target.service);
      killed.push(`${pod}/${container}`);
    }
    return { details: { containers: killed, signal: p.signal } };
  },
  async revert() {},
};

async function firstContainer(cluster: Cluster, target: KubernetesFaultTarget, pod: string): Promise<string> {
  const found = (await cluster.listPods(target.namespace, target.selector)).find((x) => x.metadata?.name === pod);
  const name = found?.spec?.containers[0]?.name;
  if (!name) throw new TargetError(`pod ${target.namespace}/${pod} has no containers`, target.service);
  return name;
}
