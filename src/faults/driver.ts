/**
 * A driver: what turns a service of the system file into concrete fault targets, and runs
 * whatever the driver needs for the length of a run (a proxy fleet, an engine connection).
 * Fault kinds name their driver (`FaultKind.driver`); the registry of drivers is
 * src/drivers/index.ts. The process driver predates this seam and is wired in the runtime.
 */
import type { FaultTarget } from './types.js';

/** A reference from an experiment: `api` or `api.db` (service `api`, sub-target `db`). */
export interface TargetRefParts {
  service: string;
  sub?: string;
  /** The service's block from the system file, as parsed (durations in ms, defaults filled). */
  config: Readonly<Record<string, unknown>>;
}

export interface DriverContext {
  /** The system file's directory: paths in it are relative to this. */
  baseDir: string;
  stateDir: string;
  signal?: AbortSignal;
  log(message: string): void;
  /** The service's processes as the process driver resolves them (supervised, pid, pidFile, match). */
  processesOf?(service: string): Promise<{ pid: number; startTicks: number; label: string }[]>;
  /** Lifecycle events a driver observes (a container died, started again, became healthy): they go to the journal's serviceEvents. */
  serviceEvent?(event: DriverServiceEvent): void;
}

/** A service lifecycle event seen by a driver; wallTime in epoch ms, mono a performance.now() reading when known. */
export interface DriverServiceEvent {
  service: string;
  type: 'spawn' | 'exit' | 'ready';
  pid?: number;
  code?: number | null;
  signal?: string | null;
  restart?: boolean;
  /** The container it happened to. */
  container?: string;
  /** The kernel's OOM killer ended it. */
  oom?: boolean;
  wallTime: number;
  mono?: number;
}

export interface SystemView {
  services: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The system file's top-level `kubernetes:` block (cluster, namespaces), when it has one. */
  kubernetes?: Readonly<Record<string, unknown>>;
}

export interface ServiceDriver<Target extends FaultTarget = FaultTarget> {
  readonly name: string;
  /** Validation: why this driver cannot act on the reference, or undefined when it can. */
  checkTarget(ref: TargetRefParts, system: SystemView): string | undefined;
  /** Once per run, before the first fault (and before steady state is checked): start what the system needs. */
  start?(system: SystemView, ctx: DriverContext): Promise<void>;
  /** Concrete targets for one reference, right now. */
  resolve(ref: TargetRefParts, system: SystemView, ctx: DriverContext): Promise<Target[]>;
  /** End of the run: stop what `start` started. Idempotent. */
  stop?(): Promise<void>;
}
