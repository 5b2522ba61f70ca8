/**
 * The observability flags shared by `run`, the quick commands and `demo`: --metrics-listen,
 * --metrics-push and --grafana-url. addMetricsOptions() declares them; startMetrics() turns them
 * into reporters (and the /metrics server) before the run, and close() ends the server after it.
 * Flag mistakes are usage errors (exit 2) raised before anything is injected.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors/index.js';
import type { MetricsReporter } from '../exporter/metrics-reporter.js';
import { parseListen, type MetricsServer } from '../exporter/metrics-server.js';
import { grafanaToken } from '../grafana/grafana-client.js';
import type { Reporter } from '../reporters/types.js';

export interface MetricsFlags {
  metricsListen?: string;
  metricsPush?: string;
  grafanaUrl?: string;
}

export interface StartedMetrics {
  reporters: Reporter[];
  /** The /metrics URL when serving. */
  url?: string;
  close(): Promise<void>;
}

export function addMetricsOptions(cmd: Command): Command {
  return cmd
    .option('--metrics-listen <host:port>', 'serve Prometheus metrics at http://HOST:PORT/metrics while the run lives (port 0: any free port; the URL is printed on stderr)')
    .option('--metrics-push <url>', "push the run's final figures to this Pushgateway at its end (job faultline; a Pushgateway that does not answer is a warning)")
    .option('--grafana-url <url>', 'post Grafana annotations (a region per fault, the verdict) to this Grafana; token from $FAULTLINE_GRAFANA_TOKEN or $GRAFANA_TOKEN');
}

export async function startMetrics(opts: MetricsFlags, env: NodeJS.ProcessEnv = process.env): Promise<StartedMetrics> {
  const listen = opts.metricsListen === undefined ? undefined : parseListen(opts.metricsListen);
  if (opts.metricsListen !== undefined && !listen) throw new UsageError(`--metrics-listen: expected HOST:PORT such as 127.0.0.1:9464 (port 0: any free port), got "${opts.metricsListen}"`);
  const pushUrl = opts.metricsPush === undefined ? undefined : httpUrl(opts.metricsPush, '--metrics-push');
  const grafanaUrl = opts.grafanaUrl === undefined ? undefined : httpUrl(opts.grafanaUrl, '--grafana-url');
  const reporters: Reporter[] = [];
  let metrics: MetricsReporter | undefined;
  let server: MetricsServer | undefined;
  // prom-client is loaded only when asked for: every other run starts as fast as before.
  if (listen || pushUrl) {
    const { MetricsReporter } = await import('../exporter/metrics-reporter.js');
    metrics = new MetricsReporter(pushUrl ? { pushUrl } : {});
    reporters.push(metrics);
  }
  if (listen && metrics) {
    const { serveMetrics } = await import('../exporter/metrics-server.js');
    try {
      server = await serveMetrics(metrics.registry, listen);
    } catch (err) {
      throw new UsageError(`--metrics-listen ${opts.metricsListen}: cannot listen there (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    process.stderr.write(`faultline: metrics at ${server.url}\n`);
  }
  if (grafanaUrl) {
    const token = grafanaToken(env);
    if (!token) process.stderr.write('faultline: note: --grafana-url without $FAULTLINE_GRAFANA_TOKEN or $GRAFANA_TOKEN: annotations are posted without a token\n');
    const { GrafanaAnnotationsReporter } = await import('../grafana/annotations-reporter.js');
    const { GrafanaClient } = await import('../grafana/grafana-client.js');
    reporters.push(new GrafanaAnnotationsReporter(new GrafanaClient({ url: grafanaUrl, ...(token ? { token } : {}) })));
  }
  return {
    reporters,
    ...(server ? { url: server.url } : {}),
    async close() {
      metrics?.close();
      await server?.close();
    },
  };
}

function httpUrl(value: string, flag: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    /* reported below */
  }
  throw new UsageError(`${flag}: expected an http(s) URL, got "${value}"`);
}
