/**
 * The dashboard's PromQL, one place: every expression reads the exporter's metric names and the
 * dashboard's variables ($experiment, $service; Grafana fills $__rate_interval and $__range).
 */
const EXP = 'experiment=~"$experiment"';
const SVC = 'service=~"$service"';

export const QUERIES = {
  faultsActive: `sum by (experiment, kind, target) (faultline_fault_active{${EXP}})`,
  serviceHealthy: `faultline_service_healthy{${SVC}}`,
  probeSuccess: `min by (service, probe) (faultline_probe_success{${SVC}})`,
  timeToRecover: `max by (experiment, service) (faultline_time_to_recover_seconds{${EXP}, ${SVC}})`,
  loadRate: `sum by (experiment) (rate(faultline_load_requests_total{${EXP}}[$__rate_interval]))`,
  loadErrors: `sum by (experiment) (rate(faultline_load_errors_total{${EXP}}[$__rate_interval])) / sum by (experiment) (rate(faultline_load_requests_total{${EXP}}[$__rate_interval]))`,
  loadLatency: (q: number) => `histogram_quantile(${q}, sum by (le, experiment) (rate(faultline_load_latency_seconds_bucket{${EXP}}[$__rate_interval])))`,
  runsByResult: `sum by (result) (increase(faultline_runs_total{${EXP}}[$__range]))`,
  guardrailAborts: 'sum(increase(faultline_guardrail_aborts_total[$__range]))',
  revertFailures: 'sum(increase(faultline_fault_revert_failures_total[$__range]))',
  experiments: 'label_values({__name__=~"faultline_.+"}, experiment)',
  services: 'label_values({__name__=~"faultline_(service_healthy|probe_success|time_to_recover_seconds)"}, service)',
};
