/**
 * Puts the processes a run starts into the ledger (kind `started-service`), so that if faultline
 * dies the reaper stops them instead of leaving them running unsupervised. Written just after each
 * spawn — there is no pid before — and closed when the process exits (the run stopping it at the
 * end, a crash, a kill fault).
 */
import { STARTED_SERVICE_KIND } from '../../drivers/process/started-service.js';
import type { Ledger } from '../../safety/ledger.js';
import { readStartTicks } from '../../util/proc.js';
import type { ServiceConfig } from '../schema/system.js';

export class StartedProcesses {
  #pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly ledger: Ledger,
    private readonly runId: string,
    private readonly services: Readonly<Record<string, ServiceConfig>>,
    private readonly log: (message: string) => void,
  ) {}

  /** Called synchronously from the supervisor's events; the ledger writes go in order. */
  record(event: { type: 'spawn' | 'exit'; service: string; pid: number }): void {
    const faultId = `started-${event.service}-${event.pid}`;
    const ids = { runId: this.runId, faultId };
    if (event.type === 'exit') {
      this.#then(() => this.ledger.reverted({ ...ids, by: 'run' }));
      return;
    }
    const startTicks = readStartTicks(event.pid);
    if (startTicks === undefined) return; // already gone: its exit follows
    const proc = this.services[event.service]?.process;
    const revertInfo = { pid: event.pid, startTicks, stopSignal: proc?.stopSignal ?? 'SIGTERM', stopTimeoutMs: proc?.stopTimeout ?? 5000 };
    this.#then(() => this.ledger.intent({ ...ids, kind: STARTED_SERVICE_KIND, driver: 'process', service: event.service, target: `${event.service} (pid ${event.pid})`, revertInfo }));
  }

  /** Every record written (before the ledger closes). */
  flush(): Promise<void> {
    return this.#pending;
  }

  #then(write: () => Promise<void>): void {
    this.#pending = this.#pending.then(write).catch((err: unknown) => this.log(`ledger: could not record a started process: ${(err as Error).message}`));
  }
}
