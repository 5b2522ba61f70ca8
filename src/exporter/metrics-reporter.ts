/**
 * The Prometheus exporter as a Reporter: keeps the live registry (served at /metrics by
 * metrics-server.ts) from the run's events and, with a Pushgateway, a registry of the current
 * run alone that is pushed at its end (job `faultline`, grouped by instance and experiment), so
 * the Pushgateway holds each experiment's last run and never adds one run's counts to another's.
 * It never breaks a run: hooks only do bookkeeping, and a push failure is a warning.
 */
import { hostname } from 'node:os';
import type { FaultRecord, Journal, LoadBucket, Sample } from '../journal/types.js';
import type { Reporter, RunStartInfo } from '../reporters/types.js';
import { MetricsBook } from './metrics-book.js';
import { FaultlineMetrics } from './metrics.js';
import { pushRegistry } from './pushgateway.js';

export interface MetricsReporterOptions {
  /** Push the run's figures here at its end. */
  pushUrl?: string;
  /** The `instance` grouping label (default: this host's name). */
  instance?: string;
  /** Where warnings go (default: stderr). */
  warn?: (message: string) => void;
}

export class MetricsReporter implements Reporter {
  readonly name = 'metrics';
  readonly live = new FaultlineMetrics();
  #books: MetricsBook[] = [new MetricsBook(this.live)];
  #run: MetricsBook | undefined;

  constructor(private readonly options: MetricsReporterOptions = {}) {}

  get registry(): FaultlineMetrics['registry'] {
    return this.live.registry;
  }

  onRunStart(info: RunStartInfo): void {
    const liveBook = this.#books[0]!;
    this.#run = this.options.pushUrl ? new MetricsBook(new FaultlineMetrics()) : undefined;
    this.#books = this.#run ? [liveBook, this.#run] : [liveBook];
    for (const b of this.#books) b.start(info);
  }

  onFaultInjected(f: FaultRecord): void {
    for (const b of this.#books) b.faultInjected(f);
  }

  onFaultReverted(f: FaultRecord): void {
    for (const b of this.#books) b.faultReverted(f);
  }

  onSample(s: Sample): void {
    for (const b of this.#books) b.sample(s);
  }

  onLoadBucket(bucket: LoadBucket): void {
    for (const b of this.#books) b.loadBucket(bucket);
  }

  async onRunEnd(journal: Journal): Promise<void> {
    for (const b of this.#books) b.end(journal);
    const run = this.#run;
    if (!run || !this.options.pushUrl) return;
    const error = await pushRegistry(run.metrics.registry, this.options.pushUrl, { instance: this.options.instance ?? hostname(), experiment: run.experiment });
    if (error) (this.options.warn ?? warnStderr)(`faultline: warning: metrics not pushed (--metrics-push): ${error}`);
  }

  /** At exit: the per-run series go (the cardinality rule). */
  close(): void {
    this.live.removeRunSeries();
  }
}

function warnStderr(message: string): void {
  process.stderr.write(`${message}\n`);
}
