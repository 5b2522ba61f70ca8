/** Label values derived from the run's events. */
import { basename } from 'node:path';

/**
 * The `experiment` label: the experiment file's name without its extension (`kill-api`), short
 * and stable across runs; quick commands have no file, so their name (`faultline kill api`) stays.
 */
export function experimentLabel(experimentFile: string): string {
  return basename(experimentFile).replace(/\.(ya?ml|json|[cm]?[jt]s)$/i, '') || experimentFile;
}

/**
 * A sample's series as labels: `service:api` is api's health check; `probe:name` a hypothesis probe
 * (no service). Other series (a PromQL guardrail's readings, `guardrail:name`) are not probes: undefined.
 */
export function seriesLabels(series: string): { service: string; probe: string } | undefined {
  if (series.startsWith('service:')) return { service: series.slice('service:'.length), probe: 'health' };
  if (series.startsWith('probe:')) return { service: '', probe: series.slice('probe:'.length) };
  return undefined;
}
