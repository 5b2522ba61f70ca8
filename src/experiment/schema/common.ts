/** Schema pieces shared by the system file and the experiment file. */
import { z } from 'zod';
import { kubernetesReadyCall } from './kubernetes.js';
import { duration } from '../../util/duration-schema.js';

export { duration };

export const name = z.string().min(1).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected a name of letters, digits, ".", "_" or "-"');

const regexString = z.string().refine(
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected a valid regular expression' },
);
export { regexString as regex };

const statusExpectation = z
  .union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1), z.string().regex(/^[1-5]xx$/, 'expected a status class such as "2xx"')])
  .describe('An HTTP status, a list of statuses, or a class such as "2xx"');

const numberRange = z.tuple([z.number(), z.number()]).describe('[min, max], both inclusive');

const jsonPathCheck = z
  .strictObject({
    path: z.string().regex(/^\$(\.[A-Za-z_$][\w$-]*|\[\d+\])*$/, 'expected a JSON path such as $.status or $.items[0].id'),
    equals: z.unknown().optional(),
    range: numberRange.optional(),
    matches: regexString.optional(),
    exists: z.boolean().optional(),
  })
  .describe('A check on one value of a JSON response body');

const numberTolerance = z
  .union([
    z.number().transform((equals) => ({ equals })),
    z
      .strictObject({ equals: z.number().optional(), min: z.number().optional(), max: z.number().optional() })
      .refine((t) => t.equals !== undefined || t.min !== undefined || t.max !== undefined, { message: 'expected equals, min or max' })
      .refine((t) => t.min === undefined || t.max === undefined || t.min <= t.max, { message: 'expected min <= max' }),
  ])
  .describe('A number (equal to it), or { equals } / { min, max } (both inclusive)');

/**
 * Tolerances: what a probe's result must look like to count as healthy. Kinds: status, range
 * (latency, JSON values), regex (body, stdout), boolean (`ok`), and JSON path.
 */
export const expectation = z
  .strictObject({
    ok: z.boolean().optional().describe('Boolean tolerance: whether the probe itself must succeed (false: expect a refused connection, a failing command)'),
    status: statusExpectation.optional(),
    body: regexString.optional().describe('Regular expression the HTTP body must match'),
    json: z.union([jsonPathCheck, z.array(jsonPathCheck)]).optional(),
    latency: z.strictObject({ max: duration.optional(), min: duration.optional() }).optional().describe('Range tolerance on the probe latency'),
    exitCode: z.union([z.number().int(), z.array(z.number().int())]).optional(),
    stdout: regexString.optional().describe('Regular expression the command output must match'),
    value: numberTolerance.optional().describe('Metrics probes: the value of the metric (matching series aggregated); prometheus probes: the value of the query'),
    increase: numberTolerance.optional().describe('Metrics probes: how much a counter grew since the steady-state check before the method'),
  })
  .describe('Tolerance: the result a healthy probe must produce');

const httpRequest = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  method: z.string().default('GET'),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
});

const metricsQuery = z
  .strictObject({
    url: z.url({ protocol: /^https?$/ }).describe('The Prometheus text-format endpoint, e.g. http://127.0.0.1:9100/metrics'),
    name: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'expected a Prometheus metric name such as http_requests_total'),
    labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a label name'), z.string()).optional().describe('Labels a series must have (a subset)'),
    aggregate: z.enum(['sum', 'min', 'max', 'avg', 'count']).optional().describe('How matching series combine (default sum)'),
    headers: z.record(z.string(), z.string()).optional(),
  })
  .describe('Scrape a Prometheus text-format endpoint and read one metric');

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable, e.g. PROMETHEUS_TOKEN');

/** Where a PromQL query goes: a Prometheus (or compatible: Thanos, Mimir, VictoriaMetrics) HTTP API. */
export const prometheusConnection = {
  url: z.url({ protocol: /^https?$/ }).describe('The Prometheus server, e.g. http://127.0.0.1:9090 (its /api/v1/query is called)'),
  headers: z.record(z.string(), z.string()).optional().describe('Extra request headers, e.g. a tenant header'),
  bearerTokenEnv: envName.optional().describe('Environment variable holding a bearer token (sent as Authorization: Bearer …); never the token itself'),
};

const promql = z.string().trim().min(1, 'expected a PromQL query');

export const promqlAggregate = z.enum(['sum', 'min', 'max', 'avg', 'count']).describe('How several series combine into one value (without it, several series are a failed observation)');

const prometheusQuery = z
  .strictObject({
    ...prometheusConnection,
    query: promql.describe('An instant PromQL query with a scalar or one-series result'),
    aggregate: promqlAggregate.optional(),
  })
  .describe('Evaluate a PromQL query through the Prometheus HTTP API (/api/v1/query)');

/** What a probe calls: exactly one of http, tcp, command, metrics, prometheus. */
export const probeCall = {
  http: z.union([z.url({ protocol: /^https?$/ }), httpRequest]).optional().describe('URL, or { url, method, headers, body }'),
  tcp: z.string().regex(/^.+:\d{1,5}$/, 'expected host:port').optional().describe('host:port that must accept a TCP connection'),
  command: z.union([z.string().min(1), z.array(z.string()).min(1)]).optional().describe('Shell command (string) or argv (list)'),
  metrics: metricsQuery.optional(),
  prometheus: prometheusQuery.optional(),
  kubernetes: kubernetesReadyCall.optional(),
  timeout: duration.optional(),
};

const CALL_KINDS = ['http', 'tcp', 'command', 'metrics', 'prometheus', 'kubernetes'] as const;

export function exactlyOneCall(value: Partial<Record<(typeof CALL_KINDS)[number], unknown>>, ctx: z.RefinementCtx): void {
  const present = CALL_KINDS.filter((k) => value[k] !== undefined);
  if (present.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: present.length === 0 ? 'expected one of http, tcp, command, metrics, prometheus or kubernetes' : `expected only one of http, tcp, command, metrics, prometheus or kubernetes, got ${present.join(' and ')}`,
    });
  }
}

export type Expectation = z.output<typeof expectation>;
