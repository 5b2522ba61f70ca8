/** GET /metrics: the proxies' counters in Prometheus text format (0.0.4). */
import type { Proxy } from '../proxy.js';

interface Metric {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: [labels: Record<string, string>, value: number][];
}

export function prometheusText(proxies: readonly Proxy[]): string {
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
  const lines: string[] = [];
  for (const m of metrics) {
    lines.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`);
    for (const [labels, value] of m.samples) lines.push(`${m.name}{${formatLabels(labels)}} ${value}`);
  }
  return `${lines.join('\n')}\n`;
}

function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}
