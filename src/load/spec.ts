/**
 * What a load run is asked to do. The experiment schema (experiment/schema/load.ts) and the
 * `faultline load` command both produce these shapes, with durations in ms and defaults filled.
 */
import { availableParallelism } from 'node:os';
import type { StatusMatch } from './status.js';

/** One kind of request in the mix. `path` is relative to the load's URL origin. */
export interface LoadRequest {
  path: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Relative share of the mix (an integer >= 1). */
  weight: number;
}

/** faultline's own generator. */
export interface BuiltinLoadSpec {
  /** The origin every request goes to, with the default path: http://host:port/path. */
  url: string;
  /** Open model: requests per second at fixed intervals. Absent: closed model. */
  rate?: number;
  /** Closed model: connections each keeping `pipelining` requests in flight. Open model: the most connections to open. */
  connections: number;
  pipelining: number;
  /** Absent: until stop() is called (or the signal aborts). */
  durationMs?: number;
  /** Per request; a request without a response by then is an error (`timeout`). */
  timeoutMs: number;
  /** Bucket length of the time series (1 s or finer). */
  intervalMs: number;
  /** Statuses that count as success (codes and classes such as "2xx"); anything else, and every request without a response, is an error. */
  okStatus: StatusMatch[];
  requests: LoadRequest[];
  /** Worker threads sharing the load (worker-pool.ts); absent or 1: this thread. */
  workers?: number;
}

export type LoadFormat = 'k6' | 'artillery' | 'autocannon' | 'none';

/** An external load tool run alongside the method. */
export interface CommandLoadSpec {
  /** A shell command (string) or argv (list). `{report}` is replaced by the report file path. */
  command: string | string[];
  /** Which adapter reads the tool's report. `none`: keep exit code and output only. */
  format: LoadFormat;
  /** Where the tool writes its report; absent: a temporary file (use `{report}` in the command), or the tool's standard output when the command has no `{report}`. */
  report?: string;
  /** Working directory (the experiment file's folder when run from an experiment). */
  cwd?: string;
  env?: Record<string, string>;
  /** How long to wait for the tool to exit after stop() before it is killed (SIGINT first, then SIGKILL). */
  graceMs: number;
  /** Statuses that count as success (default 2xx and 3xx). */
  okStatus?: StatusMatch[];
  /** Bucket length when the tool reports each request (k6 --out json). Default 1 s. */
  intervalMs?: number;
}

/** k6 run on a Kubernetes cluster by the k6 operator (a TestRun), not on this machine: see k6-operator/. */
export interface K6OperatorLoadSpec {
  k6Operator: {
    namespace: string;
    /** The k6 script (or archive), relative to `cwd`. */
    script: string;
    /** How many runner pods share the test (spec.parallelism). */
    parallelism: number;
    /** k6 options, as the TestRun's spec.arguments ("--vus 20 --duration 1m"). */
    arguments?: string;
    /** The runners' image (default: the operator's). */
    runnerImage?: string;
    /** The cluster (default: the system file's kubernetes block); a relative kubeconfig is relative to `cwd`. */
    kubeconfig?: string;
    context?: string;
  };
  /** The experiment file's folder when run from an experiment. */
  cwd?: string;
}

export type LoadSpec = BuiltinLoadSpec | CommandLoadSpec | K6OperatorLoadSpec;

export function isCommandSpec(spec: LoadSpec): spec is CommandLoadSpec {
  return 'command' in spec;
}

export function isK6OperatorSpec(spec: LoadSpec): spec is K6OperatorLoadSpec {
  return 'k6Operator' in spec;
}

/** faultline's own generator: the only form with live figures. */
export function isBuiltinSpec(spec: LoadSpec): spec is BuiltinLoadSpec {
  return 'url' in spec;
}

export const LOAD_DEFAULTS = {
  /** Closed model without --connections; open model: the most connections. */
  connections: 10,
  openConnections: 256,
  pipelining: 1,
  timeoutMs: 10_000,
  intervalMs: 1000,
  graceMs: 10_000,
  okStatus: ['2xx', '3xx'] as StatusMatch[],
  /** One thread: the load usually shares the machine with what it tests (see docs/load.md). */
  workers: 1,
} as const;

/** A request is late when it leaves this long or more after its intended send time (open model). */
export const LATE_MS = 10;

/** The most worker threads a load may ask for. */
export const MAX_WORKERS = 64;

/** `workers: auto`: the cores beyond one (left to the target and the rest of the machine), at most 4, at least 1. */
export function autoWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}
