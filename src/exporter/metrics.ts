/**
 * faultline's own metrics, as prom-client objects on one Registry. Names and units follow
 * Prometheus's conventions (base units: seconds; counters end in `_total`).
 *
 * Cardinality rule: only the per-run gauges (fault_active, probe_success, probe_latency_seconds)
 * carry the run id, and MetricsBook removes their series when the next run starts (and the CLI when
 * it exits), so a long demo or a scheduler never piles up run ids. Every other label takes values
 * from a bounded set: fault kinds, service and experiment names, run results.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Load latency buckets, in seconds: from 5 ms (a fast local service) to 10 s (a request timing out). */
export const LOAD_LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class FaultlineMetrics {
  readonly faultActive: Gauge<'run' | 'experiment' | 'kind' | 'target'>;
  readonly faultsInjected: Counter<'kind'>;
  readonly revertFailures: Counter;
  readonly probeSuccess: Gauge<'run' | 'service' | 'probe'>;
  readonly probeLatency: Gauge<'run' | 'service' | 'probe'>;
  readonly serviceHealthy: Gauge<'service'>;
  readonly timeToRecover: Gauge<'experiment' | 'service'>;
  readonly runs: Counter<'experiment' | 'result'>;
  readonly guardrailAborts: Counter;
  readonly loadRequests: Counter<'experiment'>;
  readonly loadErrors: Counter<'experiment'>;
  readonly loadLatency: Histogram<'experiment'>;

  constructor(readonly registry: Registry = new Registry()) {
    const registers = [registry];
    this.faultActive = new Gauge({ name: 'faultline_fault_active', help: 'Faults held now (1 while a fault is held; kept at 1 when its revert failed)', labelNames: ['run', 'experiment', 'kind', 'target'], registers });
    this.faultsInjected = new Counter({ name: 'faultline_faults_injected_total', help: 'Faults injected successfully', labelNames: ['kind'], registers });
    this.revertFailures = new Counter({ name: 'faultline_fault_revert_failures_total', help: 'Faults whose revert failed (they may still act: run faultline recover)', registers });
    this.probeSuccess = new Gauge({ name: 'faultline_probe_success', help: 'Last result of a probe: 1 ok, 0 failed (probe="health": the service health check)', labelNames: ['run', 'service', 'probe'], registers });
    this.probeLatency = new Gauge({ name: 'faultline_probe_latency_seconds', help: 'Duration of the last probe', labelNames: ['run', 'service', 'probe'], registers });
    this.serviceHealthy = new Gauge({ name: 'faultline_service_healthy', help: 'Last health check of a service: 1 healthy, 0 not', labelNames: ['service'], registers });
    this.timeToRecover = new Gauge({ name: 'faultline_time_to_recover_seconds', help: 'Time to recover of a service in the last run of an experiment (absent when it was not impacted or did not recover)', labelNames: ['experiment', 'service'], registers });
    this.runs = new Counter({ name: 'faultline_runs_total', help: 'Finished runs by result (held, deviated, aborted, revert-failed)', labelNames: ['experiment', 'result'], registers });
    this.guardrailAborts = new Counter({ name: 'faultline_guardrail_aborts_total', help: 'Runs aborted by a guardrail', registers });
    this.loadRequests = new Counter({ name: 'faultline_load_requests_total', help: 'Requests sent by the run load', labelNames: ['experiment'], registers });
    this.loadErrors = new Counter({ name: 'faultline_load_errors_total', help: 'Requests of the run load that failed', labelNames: ['experiment'], registers });
    this.loadLatency = new Histogram({
      name: 'faultline_load_latency_seconds',
      help: 'Latency of the run load, rebuilt from each 1 s window p50/p95/p99/max (see docs/observability.md)',
      labelNames: ['experiment'],
      buckets: LOAD_LATENCY_BUCKETS,
      registers,
    });
  }

  /** Drops every series that carries a run id. */
  removeRunSeries(): void {
    this.faultActive.reset();
    this.probeSuccess.reset();
    this.probeLatency.reset();
  }
}
