/**
 * Validating resilience mechanisms from the outside: a service's Prometheus metrics must show its
 * circuit breaker opening during a dependency's failure and closing after, or its retries at work.
 * The fault hits the dependency; the metrics are read from the target (the service holding the
 * breaker or doing the retries); load on url gives the breaker calls to count.
 */
import type { StepInput } from '../../experiment/define.js';
import type { RenderContext } from '../context.js';
import { entryProbe, header, loadAt, PARAMS, recovery, withDefault } from '../common.js';
import type { CatalogTemplate, TemplateParameter } from '../types.js';

const dependency: TemplateParameter = {
  name: 'dependency',
  type: 'service',
  derived: true,
  default: "the target's only dependency",
  description: 'the service whose failure the target must survive (the fault hits it)',
};

const fault: TemplateParameter = {
  name: 'fault',
  type: 'choice',
  choices: ['stop', 'partition', 'http-error'],
  default: 'stop',
  description: 'stop: freeze the dependency (calls time out); partition / http-error (500s): on the proxy link target.dependency',
};

const settle: TemplateParameter = { name: 'settle', type: 'duration', default: '5s', description: 'observe this long after the fault, under load, before the checks after' };

function dependencyOf(ctx: RenderContext, target: string): string {
  const given = ctx.given('dependency');
  if (given !== undefined) return given;
  const deps = ctx.service(target).dependsOn;
  if (deps.length === 1) return deps[0]!;
  throw ctx.missing('dependency', deps.length === 0 ? `${target} depends on nothing in the system file (no dependsOn)` : `${target} has several dependencies (${deps.join(', ')}), so which one fails is yours to say`);
}

/** The failure of the dependency, seen by the target. */
function failure(ctx: RenderContext, target: string, dep: string): StepInput {
  const kind = ctx.str('fault');
  const duration = ctx.str('duration');
  if (kind === 'stop') return { fault: 'pause', target: dep, duration };
  const link = ctx.linksInto(dep).find((l) => l.startsWith(`${target}.`));
  if (!link) throw ctx.fail('fault', `fault=${kind} needs a proxy link from ${target} to ${dep} (\`proxies:\` on ${target} in the system file); use --set fault=stop instead`);
  return kind === 'partition' ? { fault: 'partition', target: link, duration } : { fault: 'http-error', target: link, status: 500, duration };
}

function traffic(ctx: RenderContext) {
  const load = loadAt(ctx);
  if (!load) throw ctx.fail('rate', 'a breaker or a retry only acts on calls: pass --set rate=<requests per second> (not 0), with a url whose handling calls the dependency');
  return load;
}

export const circuitBreakerValidation: CatalogTemplate = {
  name: 'circuit-breaker-validation',
  description: "A dependency fails under load: the target's circuit breaker on it opens during the fault and closes after (read from its /metrics)",
  hypothesis: "the target's breaker state metric for the dependency is closed (0) before and after the run, and its breaker-opened counter increased during it; every service healthy within `within`",
  needs: ['a Prometheus text-format metrics endpoint on the target exporting breaker state and openings per dependency'],
  parameters: [
    PARAMS.target('the service holding the circuit breaker'),
    dependency,
    fault,
    withDefault(PARAMS.duration, '10s'),
    settle,
    withDefault(PARAMS.rate, '10/s'),
    PARAMS.metrics,
    { name: 'state-metric', type: 'string', default: 'shop_breaker_state', description: 'gauge of the breaker state per dependency (the demo shop\'s name; pass yours)' },
    { name: 'closed', type: 'number', default: '0', description: 'the state metric\'s value when the breaker is closed' },
    { name: 'opened-metric', type: 'string', default: 'shop_breaker_opened_total', description: 'counter of breaker openings per dependency' },
    PARAMS.label,
    PARAMS.within,
    PARAMS.entry,
    withDefault({ ...PARAMS.url, description: 'the request the load makes: its handling must call the dependency through the target' }, "the entry service's HTTP health URL"),
    withDefault(PARAMS.latency, '2s'),
  ],
  render(ctx) {
    const target = ctx.str('target');
    const dep = dependencyOf(ctx, target);
    const metricsUrl = ctx.metricsUrl(target);
    const labels = { [ctx.str('label')]: dep };
    return {
      ...header(ctx, `${target}'s circuit breaker on ${dep} opens during ${dep}'s failure and closes after`, `Under load on ${ctx.url()}, ${dep} fails for ${ctx.str('duration')}; ${target}'s metrics (${metricsUrl}) are read before, during and after.`),
      load: traffic(ctx),
      hypothesis: {
        probes: [
          { name: `${target}'s breaker on ${dep} is closed`, metrics: { url: metricsUrl, name: ctx.str('state-metric'), labels }, expect: { value: { equals: ctx.number('closed') } } },
          { name: `${target}'s breaker on ${dep} opened during the fault`, metrics: { url: metricsUrl, name: ctx.str('opened-metric'), labels }, expect: { increase: { min: 1 } } },
          entryProbe(ctx, { throughout: false }),
        ],
      },
      method: [failure(ctx, target, dep), { wait: ctx.str('settle') }],
      recovery: recovery(ctx),
    };
  },
};

export const retryValidation: CatalogTemplate = {
  name: 'retry-validation',
  description: "A dependency fails briefly under load: the target retries (its retry counter increases, read from its /metrics) and clients are served",
  hypothesis: "the target's retry counter for the dependency increased by at least `retries` during the run, and url answers before and after; every service healthy within `within`",
  needs: ['a Prometheus text-format metrics endpoint on the target exporting retries per dependency'],
  parameters: [
    PARAMS.target('the service that retries its calls'),
    dependency,
    fault,
    withDefault(PARAMS.duration, '3s'),
    withDefault(settle, '2s'),
    withDefault(PARAMS.rate, '10/s'),
    PARAMS.metrics,
    { name: 'retries-metric', type: 'string', default: 'shop_retries_total', description: 'counter of retries per dependency (the demo shop\'s name; pass yours)' },
    { name: 'retries', type: 'number', default: '1', description: 'the least increase of the retry counter' },
    PARAMS.label,
    PARAMS.within,
    PARAMS.entry,
    withDefault({ ...PARAMS.url, description: 'the request the load makes: its handling must call the dependency through the target' }, "the entry service's HTTP health URL"),
    withDefault(PARAMS.latency, '2s'),
  ],
  render(ctx) {
    const target = ctx.str('target');
    const dep = dependencyOf(ctx, target);
    const metricsUrl = ctx.metricsUrl(target);
    return {
      ...header(ctx, `${target} retries its calls to ${dep} through a short failure`, `Under load on ${ctx.url()}, ${dep} fails for ${ctx.str('duration')}; ${target}'s retry counter (${metricsUrl}) must grow.`),
      load: traffic(ctx),
      hypothesis: {
        probes: [
          { name: `${target} retried calls to ${dep}`, metrics: { url: metricsUrl, name: ctx.str('retries-metric'), labels: { [ctx.str('label')]: dep } }, expect: { increase: { min: ctx.number('retries') } } },
          entryProbe(ctx, { throughout: false }),
        ],
      },
      method: [failure(ctx, target, dep), { wait: ctx.str('settle') }],
      recovery: recovery(ctx),
    };
  },
};
