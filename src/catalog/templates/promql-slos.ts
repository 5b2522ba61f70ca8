/**
 * Steady state as the team's own Prometheus sees it: an error ratio, a p95 from a histogram, or an
 * availability, each a PromQL query parameterised by metric and label names. The hypothesis
 * holds the SLO before and after a fault on the target; a looser bound of the same query is a
 * guardrail that aborts the run (and reverts the fault) when the fault hurts far more than expected.
 */
import type { ExperimentInput, StepInput } from '../../experiment/define.js';
import type { RenderContext } from '../context.js';
import { header, kill, loadAt, PARAMS, recovery, withDefault } from '../common.js';
import type { CatalogTemplate, TemplateParameter } from '../types.js';

const PROMQL_PARAMS: TemplateParameter[] = [
  PARAMS.target('the service the fault hits'),
  { name: 'fault', type: 'choice', choices: ['kill', 'pause'], default: 'kill', description: 'kill: a crash its supervisor must repair; pause: SIGSTOP for `duration` (a hang)' },
  withDefault(PARAMS.duration, '10s'),
  PARAMS.wait,
  withDefault({ ...PARAMS.baseline, description: 'observe this long before the fault (load and probes running): lets a freshly started system fill the rate() window' }, '0s'),
  { name: 'prometheus', type: 'url', default: 'http://127.0.0.1:9090', description: 'the Prometheus server the queries go to' },
  { name: 'selector', type: 'string', derived: true, default: 'job="<entry>"', description: 'label matchers picking the series of the service whose SLO this is, e.g. service="checkout",env="staging"' },
  { name: 'window', type: 'string', default: '1m', description: 'the range of rate() in the queries, as PromQL writes it (30s, 1m, 5m)' },
  { name: 'abort-for', type: 'duration', default: '10s', description: 'the guardrail bound must be broken this long before the run aborts' },
  withDefault(PARAMS.rate, '0'),
  PARAMS.within,
  PARAMS.entry,
  PARAMS.url,
];

const REQUESTS: TemplateParameter[] = [
  { name: 'requests-metric', type: 'string', default: 'http_requests_total', description: 'counter of requests served, with a status label' },
  { name: 'status-label', type: 'string', default: 'code', description: 'the label holding the HTTP status on the requests counter' },
  { name: 'error-status', type: 'string', default: '5..', description: 'regular expression of the statuses that are errors' },
];

function selector(ctx: RenderContext): string {
  const given = ctx.given('selector');
  const value = given ?? `job="${ctx.entry()}"`;
  if (!/^\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"[^"]*"\s*(,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"[^"]*"\s*)*$/.test(value)) {
    throw ctx.fail('selector', `expected PromQL label matchers such as service="checkout" or job="api",env=~"prod|staging", got ${JSON.stringify(value)}`);
  }
  return value.trim();
}

function range(ctx: RenderContext): string {
  const w = ctx.str('window');
  if (!/^\d+(ms|s|m|h|d)$/.test(w)) throw ctx.fail('window', `expected a PromQL range such as 30s, 1m or 5m, got ${JSON.stringify(w)}`);
  return w;
}

function metricName(ctx: RenderContext, name: string): string {
  const v = ctx.str(name);
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(v)) throw ctx.fail(name, `expected a Prometheus metric name, got ${JSON.stringify(v)}`);
  return v;
}

/** `sum(rate(requests{sel, status=~"5.."}[w]))`-style ratios over the requests counter. */
function requestRatio(ctx: RenderContext, op: '=~' | '!~'): string {
  const metric = metricName(ctx, 'requests-metric');
  const label = ctx.str('status-label');
  const sel = selector(ctx);
  const w = range(ctx);
  const part = `sum(rate(${metric}{${sel},${label}${op}"${ctx.str('error-status')}"}[${w}]))`;
  // No error series yet means no errors (or, for availability, no successes): 0, not "no value".
  return `(${part} or vector(0)) / sum(rate(${metric}{${sel}}[${w}]))`;
}

function faultSteps(ctx: RenderContext): StepInput[] {
  const target = ctx.str('target');
  return ctx.str('fault') === 'pause' ? [{ fault: 'pause', target, duration: ctx.str('duration') }, { wait: ctx.str('wait') }] : [kill(target), { wait: ctx.str('wait') }];
}

interface Slo {
  /** The probe's name and the guardrail's. */
  name: string;
  query: string;
  /** The SLO (probe tolerance) and the guardrail's bound. */
  slo: { max?: number; min?: number };
  abort: { max?: number; min?: number };
}

function render(ctx: RenderContext, slo: Slo, title: string): ExperimentInput {
  const url = ctx.str('prometheus');
  const load = loadAt(ctx);
  const baseline = ctx.str('baseline');
  return {
    ...header(ctx, title, `The SLO is read from Prometheus (${url}) before and after ${ctx.str('fault') === 'pause' ? 'a hang' : 'a crash'} of ${ctx.str('target')}; the run aborts if ${slo.name} breaks the guardrail's bound for ${ctx.str('abort-for')}.`),
    ...(load ? { load } : {}),
    ...(baseline !== '0s' && baseline !== '0' ? { baseline } : {}),
    hypothesis: { probes: [{ name: slo.name, prometheus: { url, query: slo.query }, expect: { value: slo.slo } }] },
    method: faultSteps(ctx),
    recovery: recovery(ctx),
    guardrails: { prometheus: [{ name: `${slo.name} (guardrail)`, url, query: slo.query, ...slo.abort, for: ctx.str('abort-for') }] },
  };
}

/** A percent parameter (already checked to be such as 5% or 99.9%) as a fraction. */
function fraction(ctx: RenderContext, name: string): number {
  return Number.parseFloat(ctx.str(name)) / 100;
}

export const promqlErrorRate: CatalogTemplate = {
  name: 'promql-error-rate',
  description: "A fault on the target: the service's error ratio in Prometheus stays under its SLO before and after, and never runs away",
  hypothesis: 'the error ratio (errors / requests over `window`, from the requests counter) is at most `max` before and after the fault; above `abort-above` for `abort-for` the run aborts',
  needs: ['a Prometheus scraping the service, with a requests counter labelled by status'],
  parameters: [...PROMQL_PARAMS, ...REQUESTS, { name: 'max', type: 'percent', default: '5%', description: 'the SLO: highest acceptable error ratio' }, { name: 'abort-above', type: 'percent', default: '50%', description: 'the guardrail: abort when the error ratio stays above this' }],
  render(ctx) {
    const query = requestRatio(ctx, '=~');
    return render(ctx, { name: 'error ratio', query, slo: { max: fraction(ctx, 'max') }, abort: { max: fraction(ctx, 'abort-above') } }, `${ctx.str('fault')} ${ctx.str('target')}: the error ratio stays under ${ctx.str('max')}`);
  },
};

export const promqlAvailability: CatalogTemplate = {
  name: 'promql-availability',
  description: "A fault on the target: the service's availability in Prometheus (non-error share of requests) stays above its SLO",
  hypothesis: 'availability (non-error requests / requests over `window`) is at least `min` before and after the fault; below `abort-below` for `abort-for` the run aborts',
  needs: ['a Prometheus scraping the service, with a requests counter labelled by status'],
  parameters: [...PROMQL_PARAMS, ...REQUESTS, { name: 'min', type: 'percent', default: '99%', description: 'the SLO: lowest acceptable availability' }, { name: 'abort-below', type: 'percent', default: '50%', description: 'the guardrail: abort when availability stays below this' }],
  render(ctx) {
    const query = requestRatio(ctx, '!~');
    return render(ctx, { name: 'availability', query, slo: { min: fraction(ctx, 'min') }, abort: { min: fraction(ctx, 'abort-below') } }, `${ctx.str('fault')} ${ctx.str('target')}: availability stays at or above ${ctx.str('min')}`);
  },
};

export const promqlLatencyP95: CatalogTemplate = {
  name: 'promql-latency-p95',
  description: "A fault on the target: the service's p95 latency from its Prometheus histogram stays under its SLO",
  hypothesis: 'histogram_quantile(0.95) of the duration histogram over `window` is at most `p95` before and after the fault; above `abort-above` for `abort-for` the run aborts',
  needs: ['a Prometheus scraping the service, with a request duration histogram in seconds'],
  parameters: [
    ...PROMQL_PARAMS,
    { name: 'histogram', type: 'string', default: 'http_request_duration_seconds', description: 'the request duration histogram (in seconds; its _bucket series are read)' },
    { name: 'p95', type: 'duration', default: '500ms', description: 'the SLO: slowest acceptable p95' },
    { name: 'abort-above', type: 'duration', default: '5s', description: 'the guardrail: abort when p95 stays above this' },
  ],
  render(ctx) {
    const query = `histogram_quantile(0.95, sum by (le) (rate(${metricName(ctx, 'histogram')}_bucket{${selector(ctx)}}[${range(ctx)}])))`;
    return render(ctx, { name: 'p95 latency (s)', query, slo: { max: ctx.durationMs('p95') / 1000 }, abort: { max: ctx.durationMs('abort-above') / 1000 } }, `${ctx.str('fault')} ${ctx.str('target')}: p95 stays under ${ctx.str('p95')}`);
  },
};
