/**
 * The experiment's `load:` block (the built-in generator, or an external tool's `command:`) and
 * its `slos:` list. Both parse to the shapes the load engine and the SLO evaluator take:
 * LoadSpec (src/load/spec.ts) and Slo[] (src/observe/slo.ts), durations in ms, defaults filled.
 */
import { z } from 'zod';
import { autoWorkers, LOAD_DEFAULTS, MAX_WORKERS, type BuiltinLoadSpec, type CommandLoadSpec, type K6OperatorLoadSpec, type LoadRequest, type LoadSpec } from '../../load/spec.js';
import { parseRate, RATE_HINT } from '../../load/rate.js';
import type { Slo, SloMetric } from '../../observe/slo.js';
import { parseDuration } from '../../util/duration.js';
import { duration } from '../../util/duration-schema.js';
import { k8sName } from './kubernetes.js';

const phase = z.enum(['baseline', 'chaos', 'recovery']);

// ---- status codes that count as success ----

const statusItem = z.union([z.number().int().min(100).max(599), z.string().regex(/^[1-5]xx$/, 'expected a status class such as "2xx"')]);
const okStatus = z
  .union([statusItem, z.array(statusItem).min(1)])
  .transform((v) => (Array.isArray(v) ? v : [v]))
  .describe('Statuses that count as success: a status, a class such as "2xx", or a list of them (default 2xx and 3xx)');

const rate = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const r = parseRate(value);
    if (r === undefined) {
      ctx.addIssue({ code: 'custom', message: `${RATE_HINT}, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return r;
  })
  .describe('Requests per second: 500/s, 30/m, or a number per second');

const workers = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    if (value === 'auto') return autoWorkers();
    if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_WORKERS) return value;
    ctx.addIssue({ code: 'custom', message: `expected a whole number of worker threads from 1 to ${MAX_WORKERS}, or "auto", got ${JSON.stringify(value)}` });
    return z.NEVER;
  })
  .describe(`Worker threads sharing the load, 1 to ${MAX_WORKERS}, or "auto" (the cores beyond one, at most 4); default 1`);

const headers = z.record(z.string(), z.string());

const request = z
  .strictObject({
    path: z.string().regex(/^\//, 'expected a path starting with "/"').optional(),
    url: z.url({ protocol: /^https?$/ }).optional().describe('A full URL on the same origin as load.url (instead of path)'),
    method: z.string().min(1).optional(),
    headers: headers.optional(),
    body: z.string().optional(),
    weight: z.number().int().min(1).max(1000).default(1).describe('Relative share of the mix'),
  })
  .describe('One kind of request in the mix');

const k6Operator = z
  .strictObject({
    namespace: k8sName.describe("Where the TestRun and its runners go (it must be in the system file's kubernetes.namespaces)"),
    script: z.string().min(1).describe('The k6 script (or archive), relative to the experiment file; it goes into a ConfigMap (1 MiB at most)'),
    parallelism: z.number().int().min(1).max(1000).describe('How many runner pods share the test'),
    arguments: z.string().min(1).optional().describe('k6 options, e.g. "--vus 20 --duration 1m" (the TestRun\'s spec.arguments)'),
    runnerImage: z.string().min(1).optional().describe("The runners' image (default: the operator's)"),
    kubeconfig: z.string().min(1).optional().describe("The kubeconfig file, relative to the experiment file (default: the system file's kubernetes block)"),
    context: z.string().min(1).optional().describe("The kubeconfig context (default: the system file's)"),
  })
  .describe('k6 run on the cluster by the k6 operator (a TestRun); see docs/kubernetes.md');

/** Every field either form may have; the refinement says which belong together. */
const loadFields = z.strictObject({
  // built-in generator
  url: z.url({ protocol: /^https?$/ }).optional().describe('Where the built-in generator sends requests (with requests:, their origin)'),
  rate: rate.optional().describe('Open model: a fixed arrival rate (500/s); latency counts from each request’s intended send time'),
  connections: z.number().int().min(1).max(10_000).optional().describe('Closed model: connections each keeping `pipelining` requests in flight (default 10). Open model: the most connections to open (default 256)'),
  pipelining: z.number().int().min(1).max(256).default(LOAD_DEFAULTS.pipelining),
  workers: workers.optional(),
  duration: duration.optional().describe('Stop the load after this long (default: it runs until the experiment ends)'),
  timeout: duration.default(LOAD_DEFAULTS.timeoutMs).describe('A request without a response by then is an error'),
  interval: duration.default(LOAD_DEFAULTS.intervalMs).describe('Time-series resolution, 100ms to 1s'),
  method: z.string().min(1).default('GET'),
  headers: headers.default({}),
  body: z.string().optional(),
  requests: z.array(request).min(1).max(100).optional().describe('A weighted mix of requests (default: one request to url)'),
  ok: okStatus.optional(),
  // external tool
  command: z.union([z.string().min(1), z.array(z.string()).min(1)]).optional().describe('An external load tool run alongside the method (shell string or argv); {report} is replaced by the report file'),
  format: z.enum(['k6', 'artillery', 'autocannon', 'none']).optional().describe('Which adapter reads the tool’s report (default none: exit code and output only)'),
  report: z.string().min(1).optional().describe('Where the tool writes its report (default: a temporary file for {report}, else its standard output)'),
  env: z.record(z.string(), z.string()).optional(),
  grace: duration.default(LOAD_DEFAULTS.graceMs).describe('After the run, how long the tool may take to exit after SIGINT before it is killed'),
  // on the cluster
  k6Operator: k6Operator.optional(),
});

type LoadFields = z.output<typeof loadFields>;

const BUILTIN_ONLY = ['url', 'rate', 'connections', 'duration', 'requests', 'body', 'workers'] as const;
const COMMAND_ONLY = ['format', 'report', 'env'] as const;
/** Fields without a default: with k6Operator, any of them is a mistake (the script decides the load). */
const NOT_WITH_K6_OPERATOR = [...BUILTIN_ONLY, ...COMMAND_ONLY, 'command', 'ok'] as const;

export const loadSchema = loadFields
  .superRefine((v, ctx) => {
    if (v.k6Operator !== undefined) {
      for (const key of NOT_WITH_K6_OPERATOR) if (v[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" does not go with "k6Operator": the k6 script and its arguments decide the load` });
      return;
    }
    if (v.command !== undefined) {
      for (const key of BUILTIN_ONLY) if (v[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is for the built-in generator; with "command" the tool decides its own load` });
      return;
    }
    for (const key of COMMAND_ONLY) if (v[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" goes with "command"` });
    if (v.url === undefined) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'missing required field: url (where to send requests), or command (an external load tool)' });
      return;
    }
    if (v.interval < 100 || v.interval > 1000) ctx.addIssue({ code: 'custom', path: ['interval'], message: `expected 100ms to 1s, got ${v.interval}ms` });
    if (v.pipelining > 1 && v.rate !== undefined) ctx.addIssue({ code: 'custom', path: ['pipelining'], message: 'pipelining is for the closed model (connections without rate)' });
    const origin = new URL(v.url).origin;
    v.requests?.forEach((r, i) => {
      if ((r.path === undefined) === (r.url === undefined)) ctx.addIssue({ code: 'custom', path: ['requests', i], message: 'expected exactly one of path or url' });
      if (r.url !== undefined && new URL(r.url).origin !== origin) ctx.addIssue({ code: 'custom', path: ['requests', i, 'url'], message: `expected a URL on ${origin} (the origin of load.url); one load sends to one origin` });
    });
  })
  .transform((v): LoadSpec => (v.k6Operator !== undefined ? k6OperatorSpec(v.k6Operator) : v.command !== undefined ? commandSpec(v) : builtinSpec(v)))
  .describe('Load during the run: the built-in generator (url, rate or connections), an external tool (command), or k6 on the cluster (k6Operator)');

function k6OperatorSpec(v: z.output<typeof k6Operator>): K6OperatorLoadSpec {
  return { k6Operator: Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) as K6OperatorLoadSpec['k6Operator'] };
}

function builtinSpec(v: LoadFields): BuiltinLoadSpec {
  const url = new URL(v.url!);
  const base = { method: v.method.toUpperCase(), headers: v.headers };
  const requests: LoadRequest[] = v.requests?.map((r) => {
    const target = r.url !== undefined ? new URL(r.url) : undefined;
    return {
      path: target ? target.pathname + target.search : r.path!,
      method: (r.method ?? base.method).toUpperCase(),
      headers: { ...base.headers, ...r.headers },
      ...((r.body ?? v.body) !== undefined ? { body: (r.body ?? v.body)! } : {}),
      weight: r.weight,
    };
  }) ?? [{ path: url.pathname + url.search, ...base, ...(v.body !== undefined ? { body: v.body } : {}), weight: 1 }];
  return {
    url: url.href,
    ...(v.rate !== undefined ? { rate: v.rate } : {}),
    connections: v.connections ?? (v.rate !== undefined ? LOAD_DEFAULTS.openConnections : LOAD_DEFAULTS.connections),
    pipelining: v.pipelining,
    ...(v.duration !== undefined ? { durationMs: v.duration } : {}),
    timeoutMs: v.timeout,
    intervalMs: v.interval,
    okStatus: v.ok ?? [...LOAD_DEFAULTS.okStatus],
    requests,
    // Absent means the default (LOAD_DEFAULTS.workers): specs written before workers stay as they were.
    ...(v.workers !== undefined ? { workers: v.workers } : {}),
  };
}

function commandSpec(v: LoadFields): CommandLoadSpec {
  return {
    command: v.command!,
    format: v.format ?? 'none',
    ...(v.report !== undefined ? { report: v.report } : {}),
    ...(v.env !== undefined ? { env: v.env } : {}),
    graceMs: v.grace,
    ...(v.ok !== undefined ? { okStatus: v.ok } : {}),
    intervalMs: v.interval,
  };
}

// ---- SLOs ----

const METRICS = ['p50', 'p90', 'p95', 'p99', 'max', 'mean', 'errorRate', 'availability', 'throughput', 'rps'] as const;
const LATENCY = new Set<string>(['p50', 'p90', 'p95', 'p99', 'max', 'mean']);

const bound = z.union([z.string(), z.number()]).describe('Latency: 300ms, 1.5s (a number is ms). errorRate/availability: 1%, 99.9% or a fraction 0..1. throughput: 100/s (a number is per second). Any metric: 3x — a factor of the baseline figure');

const sloFields = z.strictObject({
  name: z.string().min(1).optional(),
  metric: z.enum(METRICS).describe('p50, p90, p95, p99, max, mean (latency), errorRate, availability, throughput (rps)'),
  max: bound.optional().describe('Upper bound (latency, errorRate)'),
  min: bound.optional().describe('Lower bound (availability, throughput)'),
  maxDrop: z.union([z.string(), z.number()]).optional().describe('Largest drop from the baseline, e.g. 20% (throughput, availability)'),
  phase: phase.default('chaos').describe('The phase judged (default chaos)'),
  relativeTo: phase.default('baseline').describe('The phase a relative bound (3x, maxDrop) compares with'),
});

export const sloSchema = sloFields
  .transform((v, ctx): Slo => {
    const metric: SloMetric = v.metric === 'rps' ? 'throughput' : v.metric;
    const given = (['max', 'min', 'maxDrop'] as const).filter((k) => v[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({ code: 'custom', message: given.length === 0 ? 'expected one of max, min or maxDrop' : `expected only one of max, min or maxDrop, got ${given.join(' and ')}` });
      return z.NEVER;
    }
    const key = given[0]!;
    const raw = v[key]!;
    const base = { ...(v.name !== undefined ? { name: v.name } : {}), metric, phase: v.phase };
    if (key === 'maxDrop') {
      const drop = fraction(raw);
      if (drop === undefined) return fail(ctx, key, `expected a percentage such as 20% (or a fraction 0..1), got ${JSON.stringify(raw)}`);
      return { ...base, op: '>=', value: round(1 - drop), relativeTo: v.relativeTo };
    }
    const op = key === 'max' ? '<=' : '>=';
    const factor = typeof raw === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*x\s*$/i.exec(raw) : null;
    if (factor) return { ...base, op, value: Number(factor[1]), relativeTo: v.relativeTo };
    const value = absolute(metric, raw);
    if (value === undefined) return fail(ctx, key, `${hint(metric)}, got ${JSON.stringify(raw)}`);
    return { ...base, op, value };
  })
  .describe('A service-level objective on the load figures of one phase');

export const slosSchema = z.array(sloSchema).default([]).describe('SLOs judged on the load figures (needs a load block)');

function fail(ctx: z.RefinementCtx, key: string, message: string): never {
  ctx.addIssue({ code: 'custom', path: [key], message });
  return z.NEVER;
}

function absolute(metric: SloMetric, raw: string | number): number | undefined {
  if (LATENCY.has(metric)) return parseDuration(raw);
  if (metric === 'throughput') return parseRate(raw);
  return fraction(raw);
}

/** `1%`, `99.9%`, or a number 0..1. */
function fraction(raw: string | number): number | undefined {
  if (typeof raw === 'number') return raw >= 0 && raw <= 1 ? raw : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(raw);
  if (!m) return undefined;
  const v = Number(m[1]) / 100;
  return v <= 1 ? round(v) : undefined;
}

function hint(metric: SloMetric): string {
  if (LATENCY.has(metric)) return 'expected a latency such as 300ms or 1.5s, or a factor of the baseline such as 3x';
  if (metric === 'throughput') return 'expected a rate such as 100/s, or a factor of the baseline such as 0.8x';
  return 'expected a percentage such as 1% or 99.9% (or a fraction 0..1), or a factor of the baseline such as 2x';
}

function round(n: number): number {
  return Math.round(n * 1e9) / 1e9;
}

// ---- output types ----

export type LoadBlock = z.output<typeof loadSchema>;
export type SloBlock = z.output<typeof sloSchema>;
export type Slos = z.output<typeof slosSchema>;
export type LoadInput = z.input<typeof loadSchema>;
export type SloInput = z.input<typeof sloSchema>;
