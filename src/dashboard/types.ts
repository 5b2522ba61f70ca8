/** One dashboard snapshot as plain data: what `--json` prints and what render.ts draws. */

export type ServiceKind = 'process' | 'container' | 'compose' | 'swarm' | 'endpoint' | 'kubernetes';

/**
 * What the service is doing. `not running`: nothing runs it (no container, no process, `faultline
 * up` not started); `missing`: the engine has no such container; `degraded`: some replicas of a
 * compose or swarm service are not running; `unknown`: it could not be asked (the detail says why).
 */
export type ServiceState = 'running' | 'starting' | 'restarting' | 'paused' | 'exited' | 'OOM-killed' | 'dead' | 'created' | 'degraded' | 'not running' | 'missing' | 'unknown' | '-';

export interface HealthView {
  /**
   * The latest finished check; `waiting` while a check has had no answer for well over the time
   * its last one took (a paused or hung service, before the probe's own timeout ends it).
   */
  status: 'healthy' | 'unhealthy' | 'waiting' | 'none';
  /** The probe's own latency (ms), how long a `waiting` check has waited so far, or null without a health check. */
  latencyMs: number | null;
  /** What the probe saw (status code, command output, error). */
  observed: string;
}

export interface RestartsView {
  /** Restarts seen since the dashboard started (0 in a one-shot snapshot). */
  sinceStart: number;
  /** The supervisor's own count: the engine's RestartCount (summed over replicas), or `faultline up`'s; null when none keeps one. */
  total: number | null;
}

export interface ResourceView {
  /** Percent of one CPU (100 = one core busy), or null when unknown. */
  cpuPercent: number | null;
  memoryBytes: number | null;
  /** A memory limit set on the container, else null. */
  memoryLimitBytes: number | null;
}

export interface ContainerView extends ResourceView {
  id: string;
  name: string;
  state: ServiceState;
  /** The container's own HEALTHCHECK status (healthy, unhealthy, starting), or null without one. */
  engineHealth: string | null;
  restartCount: number;
  startedAt: string;
  exitCode: number;
  pid: number;
}

export interface ServiceView extends ResourceView {
  name: string;
  kind: ServiceKind;
  state: ServiceState;
  /** Replicas running / wanted, for compose and swarm services (kubernetes: pods Ready / wanted). */
  replicas: { running: number; desired: number } | null;
  health: HealthView;
  restarts: RestartsView;
  /** Pids of a process service (its process group under `faultline up`), or of the containers' main processes. */
  pids: number[];
  containers: ContainerView[];
  /** One short line: container names, the last exit, why the state is unknown, … */
  detail: string;
}

export interface FaultView {
  runId: string;
  faultId: string;
  kind: string;
  service: string;
  target: string;
  /** ISO time of the intent. */
  since: string;
  applied: boolean;
  /** False when the run that holds the fault is gone: `faultline recover` reverts it. */
  runAlive: boolean;
  lastError: string | null;
}

export interface RunView {
  runId: string;
  title: string;
  file: string;
  pid: number;
  startedAt: string;
  /** The `process:` services the run started and supervises. */
  services: string[];
}

export interface Snapshot {
  /** ISO time the snapshot was taken. */
  at: string;
  /** When the dashboard started (ISO): what `restarts.sinceStart` counts from. */
  since: string;
  system: { name: string | null; file: string };
  stateDir: string;
  /** Whether a `faultline up` serves this state directory (pid), else null. */
  up: { pid: number } | null;
  services: ServiceView[];
  openFaults: FaultView[];
  runs: RunView[];
  /** Problems reading the state directory (an unreadable ledger line, …). */
  warnings: string[];
}
