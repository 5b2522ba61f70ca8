/**
 * `faultline init --kubernetes -n NAMESPACE`: a system file from what a namespace runs. Each
 * Deployment, StatefulSet and DaemonSet becomes a service targeting that workload; its health is
 * "all pods Ready" read from the API (faultline usually runs outside the cluster, where Service
 * addresses do not resolve), with the readiness probe and the Service that fronts it written as a
 * comment, ready to turn into an http check through a port-forward or an ingress. dependsOn comes
 * from environment values that name another workload's Service (`http://cart:80`,
 * `redis.shop.svc:6379`), which is how most apps find their dependencies.
 */
import type * as k8s from '@kubernetes/client-node';
import { Document, isMap, isPair, isScalar, isSeq, type YAMLMap } from 'yaml';
import { UsageError } from '../../errors/index.js';
import type { WorkloadKind } from '../../experiment/schema/kubernetes.js';
import { Cluster, type ClusterRef } from './cluster.js';

export interface InitService {
  name: string;
  kind: WorkloadKind;
  workload: string;
  dependsOn: string[];
  comments: string[];
}

export interface InitResult {
  text: string;
  services: InitService[];
  warnings: string[];
  cluster: string;
}

type Workload = k8s.V1Deployment | k8s.V1StatefulSet | k8s.V1DaemonSet;

/** Does a Service select this workload's pods (its selector is a subset of the pod template's labels)? */
function fronts(service: k8s.V1Service, labels: Record<string, string>): boolean {
  const sel = service.spec?.selector;
  return sel !== undefined && Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => labels[k] === v);
}

function readinessText(w: Workload): string | undefined {
  const c = w.spec?.template.spec?.containers.find((x) => x.readinessProbe);
  const p = c?.readinessProbe;
  if (!p) return undefined;
  if (p.httpGet) return `readiness probe of ${c!.name}: HTTP GET ${p.httpGet.path ?? '/'} on port ${String(p.httpGet.port)}`;
  if (p.tcpSocket) return `readiness probe of ${c!.name}: TCP port ${String(p.tcpSocket.port)}`;
  if (p.exec) return `readiness probe of ${c!.name}: exec ${(p.exec.command ?? []).join(' ')}`;
  if (p.grpc) return `readiness probe of ${c!.name}: gRPC port ${p.grpc.port}`;
  return undefined;
}

/** The host part of every env value that looks like an address (`http://cart:80/x`, `redis.shop.svc:6379`, `db`). */
function hostsIn(w: Workload): string[] {
  const values = (w.spec?.template.spec?.containers ?? []).flatMap((c) => (c.env ?? []).map((e) => e.value ?? ''));
  return values.flatMap((v) => {
    const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]*@)?([a-z0-9][a-z0-9.-]*)(?::\d+)?(?:\/.*)?$/i.exec(v.trim());
    return m ? [m[1]!.toLowerCase()] : [];
  });
}

export async function clusterToSystem(ref: ClusterRef, namespace: string, options: { now: Date; output?: string }): Promise<InitResult> {
  const cluster = await Cluster.connect(ref);
  if (namespace === 'kube-system') throw new UsageError('kube-system is never a target: faults there can take the whole cluster down');
  if (!(await cluster.namespaceExists(namespace))) throw new UsageError(`namespace ${namespace} not found in ${cluster.label}`);
  const [workloads, svcs] = await Promise.all([cluster.listWorkloads(namespace), cluster.listServices(namespace)]);
  const warnings: string[] = [];
  if (workloads.length === 0) throw new UsageError(`namespace ${namespace} in ${cluster.label} has no Deployments, StatefulSets or DaemonSets: nothing to write`);

  // Which workload each Service fronts, to read dependencies from the names apps use.
  const byServiceName = new Map<string, string>();
  const services: InitService[] = [];
  const taken = new Set<string>();
  for (const { kind, object } of workloads) {
    const workload = object.metadata?.name ?? '?';
    // Two workloads of one name (a Deployment and a StatefulSet): the second gets its kind in its name.
    const name = taken.has(workload) ? `${workload}-${kind.toLowerCase()}` : workload;
    taken.add(name);
    const labels = object.spec?.template.metadata?.labels ?? {};
    const fronting = svcs.filter((s) => fronts(s, labels));
    for (const s of fronting) byServiceName.set(s.metadata?.name ?? '', name);
    const comments: string[] = [`${kind} ${namespace}/${workload}`];
    const readiness = readinessText(object);
    if (readiness) comments.push(readiness);
    for (const s of fronting) {
      const ports = (s.spec?.ports ?? []).map((p) => `${p.port}${p.targetPort !== undefined ? `→${String(p.targetPort)}` : ''}`).join(', ');
      comments.push(`Service ${s.metadata?.name} (${ports}): in the cluster, http://${s.metadata?.name}.${namespace}.svc:${s.spec?.ports?.[0]?.port ?? 80}/`);
    }
    comments.push('health: all pods Ready, read from the API; for an HTTP check, port-forward the Service and give it health: { http: … }');
    if (object.spec?.selector?.matchExpressions?.length) warnings.push(`${kind} ${workload} selects its pods with matchExpressions: faultline needs matchLabels (give the service a kubernetes.selector instead)`);
    services.push({ name, kind, workload, dependsOn: [], comments });
  }
  for (const [i, { object }] of workloads.entries()) {
    const me = services[i]!;
    const deps = new Set<string>();
    for (const host of hostsIn(object)) {
      const svcName = host.split('.')[0]!;
      const rest = host.split('.').slice(1);
      // `cart`, `cart.shop`, `cart.shop.svc`, `cart.shop.svc.cluster.local`: this namespace's Service.
      if (rest.length > 0 && rest[0] !== namespace) continue;
      const target = byServiceName.get(svcName);
      if (target && target !== me.name) deps.add(target);
    }
    me.dependsOn = [...deps].sort();
  }
  const text = render(services, { namespace, cluster: cluster.label, context: cluster.ref.context, now: options.now, output: options.output ?? 'faultline.yaml' });
  return { text, services, warnings, cluster: cluster.label };
}

function render(services: InitService[], o: { namespace: string; cluster: string; context: string; now: Date; output: string }): string {
  const data = {
    kubernetes: { context: o.context, namespaces: [o.namespace] },
    services: Object.fromEntries(
      services.map((s) => [s.name, { kubernetes: { namespace: o.namespace, [s.kind]: s.workload }, ...(s.dependsOn.length ? { dependsOn: s.dependsOn } : {}) }]),
    ),
  };
  const doc = new Document(data);
  doc.commentBefore = [
    ` faultline system file, generated by \`faultline init --kubernetes -n ${o.namespace}\``,
    ` from ${o.cluster} at ${o.now.toISOString().replace(/\.\d+Z$/, 'Z')}.`,
    ` Check it with: faultline validate ${o.output}`,
    '',
    ' Review before the first run: dependsOn (read from environment values that name a Service), and',
    ' mark the services whose loss is an outage with `critical: true`.',
  ].join('\n');
  const k8sNode = doc.get('kubernetes', true) as YAMLMap;
  for (const item of k8sNode.items) {
    if (isPair(item) && isScalar(item.key) && item.key.value === 'namespaces' && isSeq(item.value)) {
      item.value.flow = true;
      item.value.comment = ' the only namespaces faults may touch (kube-system never)';
    }
  }
  const servicesNode = doc.get('services', true) as YAMLMap;
  for (const pair of servicesNode.items) {
    if (!isPair(pair) || !isScalar(pair.key) || !isMap(pair.value)) continue;
    const key = pair.key;
    const planned = services.find((s) => s.name === key.value)!;
    key.commentBefore = planned.comments.map((c) => ` ${c}`).join('\n');
    for (const item of pair.value.items) {
      if (!isPair(item) || !isScalar(item.key)) continue;
      if (isMap(item.value) || isSeq(item.value)) item.value.flow = true;
    }
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
