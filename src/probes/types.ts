/**
 * Plain input and output types of probes. They match the zod outputs in experiment/schema
 * structurally (durations already in milliseconds), so probes/ and observe/ need not import
 * the experiment layer above them.
 */

export interface HttpRequestSpec {
  url: string;
  /** Default GET. */
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * A metrics probe: scrape a Prometheus text-format endpoint and read one metric — the series named
 * `name` whose labels include `labels`, combined by `aggregate` (default sum).
 */
export interface MetricsQuery {
  url: string;
  name: string;
  /** A subset: a series matches when it has each of these labels with this value. */
  labels?: Record<string, string>;
  /** How matching series combine into one value (default sum; count: how many series match). */
  aggregate?: MetricsAggregate;
  headers?: Record<string, string>;
}

export type MetricsAggregate = 'sum' | 'min' | 'max' | 'avg' | 'count';

/**
 * A prometheus probe: an instant PromQL query through a Prometheus HTTP API. Its result must be a
 * scalar or a vector of one series — or several, when `aggregate` says how to combine them.
 */
export interface PrometheusQuery {
  /** The server (its /api/v1/query is called), e.g. http://127.0.0.1:9090. */
  url: string;
  query: string;
  aggregate?: MetricsAggregate;
  headers?: Record<string, string>;
  /** Environment variable holding a bearer token, read at each call. */
  bearerTokenEnv?: string;
}

/** What a probe calls: exactly one of http, tcp, command, metrics, prometheus, kubernetes. */
export interface ProbeCall {
  http?: string | HttpRequestSpec;
  /** host:port (IPv6 as [::1]:port) that must accept a TCP connection. */
  tcp?: string;
  /** Shell command (string, run by /bin/sh -c) or argv (list, run directly). */
  command?: string | string[];
  /** A Prometheus text-format endpoint and the metric to read there. */
  metrics?: MetricsQuery;
  /** A PromQL query and the Prometheus to ask. */
  prometheus?: PrometheusQuery;
  /** Pods in a cluster that must all be Ready. */
  kubernetes?: KubernetesReadyQuery;
  /** Milliseconds. */
  timeout?: number;
}

export type ProbeKind = 'http' | 'tcp' | 'command' | 'metrics' | 'prometheus' | 'kubernetes';

/** The pods of a namespace, by label selector or workload, in a kubeconfig's cluster. */
export interface KubernetesReadyQuery {
  namespace: string;
  selector?: Record<string, string>;
  deployment?: string;
  statefulSet?: string;
  daemonSet?: string;
  kubeconfig?: string;
  context?: string;
}

/** A tolerance on a number: equal to, or within [min, max] (both inclusive). */
export interface NumberTolerance {
  equals?: number;
  min?: number;
  max?: number;
}

/** A status, a list of statuses, or a class such as '2xx'. */
export type StatusExpectation = number | number[] | string;

export interface JsonPathCheck {
  /** `$`, then `.key` and `[index]` steps, e.g. `$.items[0].id`. */
  path: string;
  equals?: unknown;
  /** [min, max], both inclusive. */
  range?: [number, number];
  /** Regular expression the value (stringified) must match. */
  matches?: string;
  exists?: boolean;
}

/** Tolerance: the result a healthy probe must produce. */
export interface Expectation {
  /** false: the call itself must fail (a closed port, a refused request). */
  ok?: boolean;
  status?: StatusExpectation;
  /** Regular expression the HTTP body must match. */
  body?: string;
  json?: JsonPathCheck | JsonPathCheck[];
  /** Milliseconds, both inclusive. */
  latency?: { max?: number; min?: number };
  exitCode?: number | number[];
  /** Regular expression the command output must match. */
  stdout?: string;
  /** Metrics probes: the metric's value (the matching series, aggregated); prometheus probes: the query's value. */
  value?: NumberTolerance;
  /** Metrics probes on counters: how much the metric grew since the run's steady-state check before the method. */
  increase?: NumberTolerance;
}

/** When in a run a probe is taken: `before` starts the measurement of counter increases. */
export type ProbePhase = 'before' | 'during' | 'after';

export interface ProbeResult {
  /** The call completed: got an HTTP response / connected / the command exited. */
  ok: boolean;
  latencyMs: number;
  status?: number;
  /** First 64 KiB of the HTTP body. */
  body?: string;
  exitCode?: number;
  /** Signal that ended the command, when it did not exit on its own. */
  signal?: string;
  /** First 64 KiB of the command's standard output. */
  stdout?: string;
  /** Why the call did not complete, e.g. 'ECONNREFUSED', 'timeout after 500ms', 'aborted'. */
  error?: string;
  /** Metrics probes: what was read. */
  metric?: MetricReading;
  /** Prometheus probes: what the query returned. */
  promql?: PromqlReading;
}

export interface PromqlReading {
  /** scalar or vector (a matrix or string result is an error). */
  resultType: 'scalar' | 'vector';
  /** Series in a vector result (1 for a scalar). */
  series: number;
  /** The value (several series combined by `aggregate`). */
  value: number;
}

export interface MetricReading {
  /** `name{label="value"}` as queried. */
  query: string;
  /** Matching series. */
  series: number;
  /** The series aggregated; undefined when none matched (except for `count`, which is 0). */
  value?: number;
  /** Growth since the baseline (per series, counter resets counted as Prometheus does). */
  increase: number;
  /** This scrape is the baseline (the steady-state check before the method, or the first scrape of the run). */
  baseline: boolean;
}

/** What each probe kind needs besides its target. */
export interface ProbeOptions {
  /** Milliseconds for the whole call (connect, response, body / command run). */
  timeout: number;
  signal?: AbortSignal;
  /** Working directory for commands. */
  cwd?: string;
  /** When in a run this probe is taken (metrics probes: `before` resets the baseline of `increase`). */
  phase?: ProbePhase;
}

/** Health check of a service in the system file (matches `HealthCheck` in experiment/schema/system.ts). */
export interface HealthCheckInput extends ProbeCall {
  expectStatus?: number | number[];
  body?: string;
  expectExitCode?: number;
  /** Milliseconds. */
  interval?: number;
}

/** Probes keep at most this much of a body or an output: enough for any tolerance, bounded memory. */
export const MAX_CAPTURE_BYTES = 64 * 1024;
