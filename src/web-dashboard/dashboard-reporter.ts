/**
 * The live view of a run: a Reporter that turns the runner's hooks into dashboard events. It
 * computes nothing (the verdict comes from the journal) and drops what the page does not draw
 * (a sample's error text is in its `observed`). Everything goes through `redact`, as reports do.
 * Event types and their data are listed in docs/dashboard.md ("Web dashboard").
 */
import type { CheckResult, FaultRecord, Journal, LoadBucket, Phase, Sample, ServiceEvent } from '../journal/types.js';
import { redact } from '../reporters/redact.js';
import type { GuardrailEvent, Reporter, RunStartInfo } from '../reporters/types.js';
import type { Retention } from './event-store.js';
import type { DashboardSink } from './server.js';

export class DashboardReporter implements Reporter {
  readonly name = 'web-dashboard';
  #runId = '';

  /** `reportFile`: asked at the run's end for the HTML report's path (written by a reporter before this one). */
  constructor(
    private readonly sink: DashboardSink,
    private readonly reportFile?: () => string | undefined,
  ) {}

  onRunStart(info: RunStartInfo): void {
    this.#runId = info.runId;
    this.#publish('run-start', info, 'pinned');
  }

  onPhase(phase: Phase, t: number): void {
    this.#publish('phase', { phase, t: Math.round(t) }, 'pinned');
  }

  onFaultInjected(fault: FaultRecord): void {
    this.#fault(fault);
  }

  onFaultReverted(fault: FaultRecord): void {
    this.#fault(fault);
  }

  onSample(s: Sample): void {
    this.#publish('sample', { series: s.series, ok: s.ok, latencyMs: round(s.latencyMs), t: Math.round(s.t), observed: s.observed });
  }

  onServiceEvent(e: ServiceEvent): void {
    this.#publish('service-event', e, 'pinned');
  }

  onCheck(c: CheckResult): void {
    this.#publish('check', c, 'pinned');
  }

  onLoadBucket(b: LoadBucket): void {
    this.#publish('load', b);
  }

  onGuardrail(g: GuardrailEvent): void {
    this.#publish('guardrail', g, { key: `guardrail:${this.#runId}:${g.guardrail}` });
  }

  onLog(message: string): void {
    this.#publish('log', { message, at: new Date().toISOString() });
  }

  onRunEnd(j: Journal): void {
    const file = this.reportFile?.();
    const analysis = j.analysis;
    this.#publish(
      'run-end',
      {
        status: j.status,
        exitCode: j.exitCode,
        reasons: j.reasons,
        durationMs: j.durationMs,
        endedAt: j.endedAt,
        verdicts: j.verdicts.map((v) => ({ name: v.name, ok: v.ok, observed: v.observed, expected: v.expected })),
        recovery: j.recovery.map((r) => ({ service: r.service, impacted: r.impacted, timeToRecoverMs: r.timeToRecoverMs, met: r.met })),
        score: analysis?.score.total ?? null,
        timeToRecoverMs: analysis?.timeToRecoverMs ?? null,
        ...(file ? { report: this.sink.addFile(`${j.runId}.html`, file) } : {}),
      },
      'pinned',
    );
  }

  #fault(f: FaultRecord): void {
    this.#publish('fault', f, { key: `fault:${this.#runId}:${f.id}` });
  }

  /** Every event names its run: a demo's page follows several runs in turn. */
  #publish(type: string, data: object, retention: Retention = 'volatile'): void {
    this.sink.publish(type, redact({ runId: this.#runId, ...data }), retention);
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
