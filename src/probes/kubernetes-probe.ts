/**
 * Kubernetes readiness probe: the selected pods, read from the API server, are all Ready — and,
 * for a workload, there are as many Ready as it wants (a Deployment scaled to 3 with one pod gone
 * is not healthy while its replacement starts). A kubernetes service without a `health:` block
 * is watched this way. What it saw is said in one line: "2/3 pods Ready (cart-7d9-x: not ready)".
 */
import { isAbsolute, resolve } from 'node:path';
import { Cluster, runClusterRef } from '../drivers/kubernetes/cluster.js';
import { selectorOf, summarizePod } from '../drivers/kubernetes/target.js';
import { errorText } from './error-text.js';
import type { KubernetesReadyQuery, ProbeOptions, ProbeResult } from './types.js';

export async function kubernetesReadyProbe(query: KubernetesReadyQuery, options: ProbeOptions): Promise<ProbeResult> {
  // Loading the client library and reading the kubeconfig (once per process) is not the
  // cluster's latency: the timeout starts with the first request.
  let cluster: Cluster;
  try {
    cluster = await connect(query, options);
  } catch (err) {
    return { ok: false, latencyMs: 0, error: errorText(err) };
  }
  const started = performance.now();
  const latency = () => performance.now() - started;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout after ${options.timeout}ms`)), options.timeout);
  });
  try {
    const said = await Promise.race([readiness(cluster, query), timeout]);
    return { ok: said.ok, latencyMs: latency(), stdout: said.text, ...(said.ok ? {} : { error: said.text }) };
  } catch (err) {
    return { ok: false, latencyMs: latency(), error: errorText(err) };
  } finally {
    clearTimeout(timer);
  }
}

function connect(query: KubernetesReadyQuery, options: ProbeOptions): Promise<Cluster> {
  const kubeconfig = query.kubeconfig && !isAbsolute(query.kubeconfig) ? resolve(options.cwd ?? process.cwd(), query.kubeconfig) : query.kubeconfig;
  // `--context` (FAULTLINE_KUBE_CONTEXT) wins here as it does for the driver: probes and faults see one cluster.
  return Cluster.connect(runClusterRef({ ...(kubeconfig ? { kubeconfig } : {}), ...(query.context ? { context: query.context } : {}) }));
}

async function readiness(cluster: Cluster, query: KubernetesReadyQuery): Promise<{ ok: boolean; text: string }> {
  const { selector, workload } = await selectorOf(cluster, query);
  const pods = (await cluster.listPods(query.namespace, selector)).map(summarizePod).filter((p) => !p.terminating);
  const ready = pods.filter((p) => p.ready);
  const want = workload ? workload.replicas : Math.max(pods.length, 1);
  const notReady = pods.filter((p) => !p.ready).map((p) => `${p.name}: not ready`);
  const text = `${ready.length}/${want} pods Ready${workload ? ` (${workload.kind} ${workload.name})` : ''}${notReady.length ? ` (${notReady.slice(0, 3).join(', ')})` : ''}`;
  // A workload scaled to 0 on purpose is not "up": nothing answers.
  return { ok: want > 0 && ready.length >= want && notReady.length === 0, text };
}
