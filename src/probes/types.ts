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

/** What a probe calls: exactly one of http, tcp, command. */
export interface ProbeCall {
  http?: string | HttpRequestSpec;
  /** host:port (IPv6 as [::1]:port) that must accept a TCP connection. */
  tcp?: string;
  /** Shell command (string, run by /bin/sh -c) or argv (list, run directly). */
  command?: string | string[];
  /** Milliseconds. */
  timeout?: number;
}

export type ProbeKind = 'http' | 'tcp' | 'command';

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
}

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
}

/** What each probe kind needs besides its target. */
export interface ProbeOptions {
  /** Milliseconds for the whole call (connect, response, body / command run). */
  timeout: number;
  signal?: AbortSignal;
  /** Working directory for commands. */
  cwd?: string;
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
