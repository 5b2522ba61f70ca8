/** The pods a fault acts on: the mode's share of the service's running pods, listed again at injection, chosen at random. */
import type { Cluster } from '../cluster.js';
import { podsFor, type PodMode } from '../pod-mode.js';
import { summarizePod, type KubernetesFaultTarget } from '../target.js';

export async function choosePods(cluster: Cluster, target: KubernetesFaultTarget, mode: PodMode): Promise<string[]> {
  const live = (await cluster.listPods(target.namespace, target.selector)).map(summarizePod).filter((p) => !p.terminating);
  const names = live.map((p) => p.name);
  for (let i = names.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [names[i], names[j]] = [names[j]!, names[i]!];
  }
  return names.slice(0, podsFor(mode, live.length));
}

/** For the blast radius: how many of the service's pods the mode touches, of how many. */
export function podReach(target: KubernetesFaultTarget, mode: PodMode): { touched: number; of: number; unit: string } {
  return { touched: podsFor(mode, target.pods.length), of: target.pods.length, unit: 'pods' };
}
