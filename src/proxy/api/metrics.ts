/** GET /metrics: the proxies' counters in Prometheus text format (0.0.4). */
import type { Proxy } from '../proxy.js';
import type { WorkerReport } from '../workers/pool.js';

interface Metric {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: [labels: Record<string, string>, value: number][];
}

/** `workers`: with `faultline proxy --workers N`, each worker's counters (the proxies' own are their sums). */
export function prometheusText(proxies: readonly Proxy[], workers?: { reports: WorkerReport[]; restarts: number }): string {
  const metrics: Metric[] = [
    { name: 'faultline_proxy_bytes_total', help: 'Bytes passed, by direction (upstream: client to upstream; downstream: back).', type: 'counter', samples: [] },
    { name: 'faultline_proxy_connections_total', help: 'Connections accepted.', type: 'counter', samples: [] },
    { name: 'faultline_proxy_connections_active', help: 'Connections open now.', type: 'gauge', samples: [] },
    { name: 'faultline_proxy_connections_refused_total', help: 'New connections refused by a down toxic.', type: 'counter', samples: [] },
    { name: 'faultline_proxy_upstream_failures_total', help: 'Connections closed because upstream could not be reached.', type: 'counter', samples: [] },
    { name: 'faultline_proxy_enabled', help: '1 while the proxy listens.', type: 'gauge', samples: [] },
    { name: 'faultline_proxy_toxics_active', help: 'Toxics in effect, by type.', type: 'gauge', samples: [] },
    { name: 'faultline_proxy_transport_info', help: 'The TCP transport a started proxy uses: raw (Node TCP handles, self-tested) or net.', type: 'gauge', samples: [] },
  ];
  const [bytes, total, active, refused, failures, enabled, toxics, transport] = metrics as [Metric, Metric, Metric, Metric, Metric, Metric, Metric, Metric];
  for (const p of proxies) {
    const proxy = { proxy: p.name, listen: p.listen, upstream: p.upstream };
    bytes.samples.push([{ ...proxy, direction: 'upstream' }, p.up.bytes], [{ ...proxy, direction: 'downstream' }, p.down.bytes]);
    total.samples.push([proxy, p.stats.accepted]);
    active.samples.push([proxy, p.connections]);
    refused.samples.push([proxy, p.stats.refused]);
    failures.samples.push([proxy, p.stats.upstreamFailures]);
    enabled.samples.push([proxy, p.enabled ? 1 : 0]);
    const byType = new Map<string, number>();
    for (const t of p.toxics) byType.set(t.type, (byType.get(t.type) ?? 0) + 1);
    for (const [type, n] of byType) toxics.samples.push([{ proxy: p.name, type }, n]);
    if (p.transport) transport.samples.push([{ proxy: p.name, transport: p.transport }, 1]);
  }
  if (workers) metrics.push(...workerMetrics(proxies, workers));
  const lines: string[] = [];
  for (const m of metrics) {
    lines.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`);
    for (const [labels, value] of m.samples) lines.push(Object.keys(labels).length ? `${m.name}{${formatLabels(labels)}} ${value}` : `${m.name} ${value}`);
  }
  return `${lines.join('\n')}\n`;
}

function workerMetrics(proxies: readonly Proxy[], { reports, restarts }: { reports: WorkerReport[]; restarts: number }): Metric[] {
  const info: Metric = { name: 'faultline_proxy_worker_info', help: 'A live worker process of faultline proxy --workers: its slot and pid.', type: 'gauge', samples: [] };
  const total: Metric = { name: 'faultline_proxy_worker_connections_total', help: 'Connections accepted, by worker (since that worker started).', type: 'counter', samples: [] };
  const active: Metric = { name: 'faultline_proxy_worker_connections_active', help: 'Connections open now, by worker.', type: 'gauge', samples: [] };
  const restarted: Metric = { name: 'faultline_proxy_worker_restarts_total', help: 'Workers that exited unasked and were started again.', type: 'counter', samples: [[{}, restarts]] };
  const names = new Map(proxies.map((p) => [p.id, p.name]));
  for (const r of reports) {
    const worker = String(r.index);
    info.samples.push([{ worker, pid: String(r.pid) }, 1]);
    for (const c of r.proxies) {
      const proxy = names.get(c.id);
      if (proxy === undefined) continue;
      total.samples.push([{ proxy, worker }, c.accepted]);
      active.samples.push([{ proxy, worker }, c.connections]);
    }
  }
  return [info, total, active, restarted];
}

function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}
