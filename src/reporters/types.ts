/**
 * Reporters are plugins on one interface with optional hooks (vitest-style). The runner calls
 * them as the run goes; `onRunEnd` receives the finished journal. Reporters never compute
 * verdicts: they render what the journal says.
 */
import type { CheckResult, FaultRecord, Journal, LoadBucket, Phase, Sample, ServiceEvent } from '../journal/types.js';

export interface RunStartInfo {
  runId: string;
  title: string;
  experimentFile: string;
  systemFile: string;
  startedAt: string;
  /** Services with a health check: the lanes a live view draws (optional: older callers). */
  services?: string[];
  /** The experiment's guardrails, described (`abort if error rate > 5% over 10s`). */
  guardrails?: string[];
  /** The hypothesis probes by name. */
  probes?: string[];
}

/**
 * A guardrail's state as the run evaluates it: emitted when a guardrail's status changes, and for
 * guardrails that read a number (PromQL) each time that number is read.
 */
export interface GuardrailEvent {
  /** Milliseconds since the run's start, as every `t` in the journal. */
  t: number;
  /** The guardrail, described (as in RunStartInfo.guardrails). */
  guardrail: string;
  /**
   * ok: within bounds; pending: out of bounds, not yet for as long as the guardrail's `for`;
   * breached: the run aborts; unknown: not enough data, or the source did not answer.
   */
  status: 'ok' | 'pending' | 'breached' | 'unknown';
  /** The value read, when the guardrail reads one (a PromQL result, an error rate). */
  value?: number;
  /** Why unknown or breached, in a sentence. */
  detail?: string;
}

export interface Reporter {
  readonly name: string;
  onRunStart?(info: RunStartInfo): void | Promise<void>;
  onPhase?(phase: Phase, t: number): void;
  onFaultInjected?(fault: FaultRecord): void;
  onFaultReverted?(fault: FaultRecord): void;
  onSample?(sample: Sample): void;
  onServiceEvent?(event: ServiceEvent): void;
  onCheck?(check: CheckResult): void;
  /** Each closed bucket of the load time series, while load runs (the load's `onBucket`). */
  onLoadBucket?(bucket: LoadBucket): void;
  onLog?(message: string): void;
  /** A guardrail's status changed, or a guardrail read a new value (see GuardrailEvent). */
  onGuardrail?(event: GuardrailEvent): void;
  onRunEnd?(journal: Journal): void | Promise<void>;
}

/** Fans each hook out to every reporter; one reporter's exception never breaks the run. */
export class ReporterSet {
  constructor(private readonly reporters: Reporter[]) {}

  emit<K extends Exclude<keyof Reporter, 'name' | 'onRunEnd' | 'onRunStart'>>(hook: K, ...args: Parameters<NonNullable<Reporter[K]>>): void {
    for (const r of this.reporters) {
      try {
        (r[hook] as ((...a: unknown[]) => void) | undefined)?.apply(r, args);
      } catch (err) {
        console.error(`reporter ${r.name} failed in ${hook}: ${(err as Error).message}`);
      }
    }
  }

  async start(info: RunStartInfo): Promise<void> {
    for (const r of this.reporters) await r.onRunStart?.(info);
  }

  async end(journal: Journal): Promise<void> {
    for (const r of this.reporters) {
      try {
        await r.onRunEnd?.(journal);
      } catch (err) {
        console.error(`reporter ${r.name} failed writing its report: ${(err as Error).message}`);
      }
    }
  }
}
