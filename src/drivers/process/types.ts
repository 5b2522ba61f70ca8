/**
 * Shapes the process driver works with. `ProcessSpec` mirrors what the system file's `process`
 * block parses to; it is restated here because drivers never import from experiment/.
 */
import type { FaultTarget } from '../../faults/types.js';

export type RestartPolicy = 'never' | 'on-failure' | 'always';
export type StopSignal = 'SIGTERM' | 'SIGINT' | 'SIGQUIT' | 'SIGHUP' | 'SIGKILL';

/** A process faultline spawns and supervises. Durations are milliseconds. */
export interface ProcessSpec {
  /** A shell command (run by /bin/sh) or an argv (run directly). */
  command: string | string[];
  /** Relative to the system file's directory. */
  cwd?: string;
  /** Merged over faultline's own environment. */
  env?: Record<string, string>;
  restart?: { policy: RestartPolicy; delay: number; maxRestarts?: number };
  readyTimeout: number;
  stopSignal: StopSignal;
  stopTimeout: number;
}

/** A process faultline did not start: exactly one of these is set. */
export interface AttachSpec {
  pid?: number;
  /** Relative to the system file's directory. */
  pidFile?: string;
  /** A regular expression matched against the space-joined command line. */
  match?: string;
}

/** Something that owns a service's process and can restart it (the in-process supervisor, or `faultline up`). */
export interface ProcessController {
  restart(service: string): Promise<{ pid: number }>;
}

/** A pid plus its start time: the identity of one process (a pid alone may be recycled). */
export interface ProcessIdentity {
  pid: number;
  startTicks: number;
}

export interface ProcessTarget extends FaultTarget, ProcessIdentity {
  /** Set when a supervisor owns the process: restarts go through it instead of respawning by hand. */
  controller?: ProcessController;
}
