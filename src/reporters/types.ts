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
