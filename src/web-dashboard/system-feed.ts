/**
 * `faultline dashboard --web`: the page's system mode, fed outside any run by the terminal
 * dashboard's own snapshots (src/dashboard/snapshot.ts) taken every interval, plus the last runs
 * from the history. Each snapshot replaces the previous one in the store; each service's health
 * is also published as a sample so the page can draw a lane of the last minutes.
 */
import { sleep } from '../util/sleep.js';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { SnapshotCollector } from '../dashboard/snapshot.js';
import { readHistory } from '../history/index.js';
import { redact } from '../reporters/redact.js';
import type { DashboardSink } from './server.js';

/** Runs from the history the page lists. */
const LAST_RUNS = 10;

export interface SystemFeedOptions {
  collector: SnapshotCollector;
  sink: DashboardSink;
  intervalMs: number;
  signal: AbortSignal;
  /** A snapshot failed (it is retried at the next interval). */
  onError?: (err: Error) => void;
}

/** Publishes a snapshot now and every interval until the signal aborts; resolves then. */
export async function feedSystem(o: SystemFeedOptions): Promise<void> {
  while (!o.signal.aborted) {
    const started = performance.now();
    try {
      await publishOnce(o);
    } catch (err) {
      if (!o.signal.aborted) o.onError?.(err as Error);
    }
    await sleep(Math.max(0, o.intervalMs - (performance.now() - started)), o.signal);
  }
}

async function publishOnce({ collector, sink }: SystemFeedOptions): Promise<void> {
  const snapshot = await collector.collect({ wait: false });
  const at = Date.parse(snapshot.at);
  for (const s of snapshot.services) {
    if (s.health.status !== 'none') sink.publish('health', { at, service: s.name, status: s.health.status, state: s.state, latencyMs: s.health.latencyMs });
  }
  sink.publish('snapshot', redact(snapshot), { key: 'snapshot' });
  const { entries } = await readHistory(collector.stateDir);
  const last = await Promise.all(
    entries.slice(-LAST_RUNS).reverse().map(async (e) => {
      const report = e.reportDir ? join(e.reportDir, 'report.html') : undefined;
      const served = report && (await exists(report)) ? sink.addFile(`${e.runId}.html`, report) : undefined;
      return { runId: e.runId, title: e.title, experimentFile: e.experimentFile, startedAt: e.startedAt, durationMs: e.durationMs, status: e.status, exitCode: e.exitCode, score: e.score, timeToRecoverMs: e.timeToRecoverMs, reasons: e.reasons, ...(served ? { report: served } : {}) };
    }),
  );
  sink.publish('history', { runs: redact(last) }, { key: 'history' });
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
