/**
 * Keeps FaultlineMetrics up to date from one run's events. Pure bookkeeping: no I/O, nothing that
 * can throw on the run's behalf. One book per registry (the live one, and the per-run one pushed
 * to a Pushgateway).
 */
import type { FaultRecord, Journal, LoadBucket, RunStatus, Sample } from '../journal/types.js';
import type { RunStartInfo } from '../reporters/types.js';
import { experimentLabel, seriesLabels } from './labels.js';
import { observeLoadLatency } from './load-latency.js';
import type { FaultlineMetrics } from './metrics.js';

const RESULTS: readonly RunStatus[] = ['held', 'deviated', 'aborted', 'revert-failed'];

type FaultLabels = { run: string; experiment: string; kind: string; target: string };

export class MetricsBook {
  #run = '';
  #experiment = '';
  /** Faults counted in faultline_fault_active, by id (a record is reported more than once). */
  #held = new Map<string, FaultLabels>();

  constructor(readonly metrics: FaultlineMetrics) {}

  get experiment(): string {
    return this.#experiment;
  }

  start(info: RunStartInfo): void {
    // The cardinality rule: the previous run's per-run series go when the next run starts.
    this.metrics.removeRunSeries();
    this.#held.clear();
    this.#run = info.runId;
    this.#experiment = experimentLabel(info.experimentFile);
    // Every result starts at 0 while the run goes, so increase() over the scrapes sees its end as +1.
    for (const result of RESULTS) this.metrics.runs.inc({ experiment: this.#experiment, result }, 0);
  }

  faultInjected(f: FaultRecord): void {
    this.metrics.faultsInjected.inc({ kind: f.kind });
    this.#hold(f);
  }

  faultReverted(f: FaultRecord): void {
    if (f.status === 'revert-failed') {
      this.metrics.revertFailures.inc();
      this.#hold(f); // it may still act: it stays counted as held
      return;
    }
    const labels = this.#held.get(f.id);
    if (!labels) return; // an injection that failed and was undone
    this.#held.delete(f.id);
    this.metrics.faultActive.dec(labels);
  }

  sample(s: Sample): void {
    const series = seriesLabels(s.series);
    if (!series) return;
    const { service, probe } = series;
    const labels = { run: this.#run, service, probe };
    this.metrics.probeSuccess.set(labels, s.ok ? 1 : 0);
    this.metrics.probeLatency.set(labels, s.latencyMs / 1000);
    if (probe === 'health' && service) this.metrics.serviceHealthy.set({ service }, s.ok ? 1 : 0);
  }

  loadBucket(b: LoadBucket): void {
    const experiment = this.#experiment;
    this.metrics.loadRequests.inc({ experiment }, b.requests);
    this.metrics.loadErrors.inc({ experiment }, b.errors);
    observeLoadLatency(this.metrics.loadLatency, experiment, b);
  }

  end(journal: Journal): void {
    const experiment = this.#experiment || experimentLabel(journal.experimentFile);
    this.metrics.runs.inc({ experiment, result: journal.status });
    if (journal.reasons.some((r) => r.startsWith('guardrail:'))) this.metrics.guardrailAborts.inc();
    for (const r of journal.recovery) {
      const labels = { experiment, service: r.service };
      if (r.timeToRecoverMs === null) this.metrics.timeToRecover.remove(labels);
      else this.metrics.timeToRecover.set(labels, r.timeToRecoverMs / 1000);
    }
  }

  #hold(f: FaultRecord): void {
    if (this.#held.has(f.id)) return;
    const labels = { run: this.#run, experiment: this.#experiment, kind: f.kind, target: f.service };
    this.#held.set(f.id, labels);
    this.metrics.faultActive.inc(labels);
  }
}
