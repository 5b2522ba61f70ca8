/**
 * The kubernetes driver: resolves `kubernetes:` services to their pods in the cluster, and for the
 * length of a run watches those pods (PodWatch), so replacements, restarts, OOM kills and Ready
 * again land in the run's events like a process's or a container's.
 */
import type { KubernetesCluster } from '../../experiment/schema/kubernetes.js';
import type { DriverContext, ServiceDriver, SystemView, TargetRefParts } from '../../faults/driver.js';
import { Cluster } from './cluster.js';
import { PodWatch } from './pod-watch.js';
import { clusterRefFor, kubernetesOf, resolveKubernetesTarget, selectorOf, type KubernetesFaultTarget } from './target.js';

export class KubernetesDriver implements ServiceDriver<KubernetesFaultTarget> {
  readonly name = 'kubernetes';
  private readonly watches: PodWatch[] = [];

  checkTarget(ref: TargetRefParts): string | undefined {
    if (!kubernetesOf(ref.config)) return `service "${ref.service}" is not a kubernetes service: kubernetes faults act on pods (give it kubernetes: { namespace, selector | deployment | statefulSet | daemonSet })`;
    if (ref.sub !== undefined) return `kubernetes faults target a service, not a part of one: use "${ref.service}"`;
    return undefined;
  }

  async start(system: SystemView, ctx: DriverContext): Promise<void> {
    const services = Object.entries(system.services).filter(([, svc]) => kubernetesOf(svc));
    if (services.length === 0) return;
    const cluster = await Cluster.connect(clusterRefFor(system.kubernetes as KubernetesCluster | undefined, ctx.baseDir));
    ctx.log(`kubernetes: ${cluster.label}`);
    for (const [service, svc] of services) {
      const t = kubernetesOf(svc)!;
      const { selector } = await selectorOf(cluster, t);
      const watch = new PodWatch(cluster, { service, namespace: t.namespace, selector, onEvent: (e) => ctx.serviceEvent?.(e), log: ctx.log });
      await watch.start();
      this.watches.push(watch);
    }
  }

  async resolve(ref: TargetRefParts, system: SystemView, ctx: DriverContext): Promise<KubernetesFaultTarget[]> {
    const clusterRef = clusterRefFor(system.kubernetes as KubernetesCluster | undefined, ctx.baseDir);
    const peer: KubernetesFaultTarget['peer'] = async (service) => {
      const svc = Object.hasOwn(system.services, service) ? system.services[service] : undefined;
      const t = svc ? kubernetesOf(svc) : undefined;
      if (!t) throw new Error(`"${service}" is not a kubernetes service of this system`);
      const { selector } = await selectorOf(await Cluster.connect(clusterRef), t);
      return { namespace: t.namespace, selector };
    };
    return [await resolveKubernetesTarget(ref.service, kubernetesOf(ref.config)!, clusterRef, peer)];
  }

  async stop(): Promise<void> {
    for (const w of this.watches.splice(0)) w.stop();
  }
}
