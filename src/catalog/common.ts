/** Parameters and pieces most templates share: the entry probe, recovery, load. */
import type { ExperimentInput, StepInput } from '../experiment/define.js';
import type { LoadInput, SloInput } from '../experiment/schema/load.js';
import type { RenderContext } from './context.js';
import type { TemplateParameter } from './types.js';

export type ProbeInput = NonNullable<NonNullable<ExperimentInput['hypothesis']>['probes']>[number];

/** The shared parameters, by name; templates pick the ones they use (and may override a default). */
export const PARAMS = {
  target: (description: string): TemplateParameter => ({ name: 'target', type: 'service', required: true, description }),
  entry: { name: 'entry', type: 'service', derived: true, default: 'the service nothing depends on (if only one)', description: 'where clients come in; its health URL is the default url' },
  url: { name: 'url', type: 'url', derived: true, default: "the entry service's HTTP health URL", description: 'the request the steady-state probe (and any load) makes' },
  latency: { name: 'latency', type: 'duration', default: '1s', description: 'slowest acceptable answer to url' },
  within: { name: 'within', type: 'duration', default: '30s', description: 'every service healthy again within this after the last fault ends' },
  wait: { name: 'wait', type: 'duration', default: '10s', description: 'how long to observe after a kill' },
  duration: { name: 'duration', type: 'duration', default: '30s', description: 'how long the fault is held' },
  rate: { name: 'rate', type: 'rate', default: '0', description: 'load on url during the run, e.g. 20/s (0: no load)' },
  baseline: { name: 'baseline', type: 'duration', default: '5s', description: 'steady state under load before the first fault (what relative SLOs compare with)' },
  metrics: { name: 'metrics', type: 'url', derived: true, default: "the target's health URL origin + /metrics", description: 'Prometheus text-format endpoint of the service that holds the breaker / retries' },
  label: { name: 'label', type: 'string', default: 'dependency', description: 'the label naming the dependency on the breaker and retry metrics' },
} satisfies Record<string, TemplateParameter | ((d: string) => TemplateParameter)>;

/** Override a shared parameter's default (e.g. a shorter duration). */
export function withDefault(param: TemplateParameter, value: string): TemplateParameter {
  return { ...param, default: value };
}

/** The steady state most templates hold: the entry answers url with 2xx (or `status`) within `latency`. */
export function entryProbe(ctx: RenderContext, options: { throughout?: boolean; status?: number[] } = {}): ProbeInput {
  const url = ctx.url();
  const latency = ctx.durationMs('latency');
  return {
    name: `${new URL(url).host}${new URL(url).pathname} answers`,
    http: url,
    timeout: latency + 1000,
    expect: { ...(options.status ? { status: options.status } : {}), latency: { max: latency } },
    throughout: options.throughout ?? true,
  };
}

export function recovery(ctx: RenderContext): NonNullable<ExperimentInput['recovery']> {
  return { within: ctx.str('within'), sustained: 3 };
}

/** The built-in load generator on url at `rate`, or undefined when rate is 0. */
export function loadAt(ctx: RenderContext, rate = ctx.str('rate')): LoadInput | undefined {
  if (rate === '0') return undefined;
  return { url: ctx.url(), rate, timeout: '2s', interval: '500ms' };
}

/** A latency SLO bound: a duration (300ms) or a factor of the baseline (3x). */
export function latencyBound(ctx: RenderContext, name: string): string {
  const value = ctx.str(name);
  if (/^\d+(\.\d+)?x$/i.test(value) || /^\d+(\.\d+)?(ms|s)$/.test(value)) return value;
  throw ctx.fail(name, `expected a duration such as 300ms or a factor of the baseline such as 3x, got "${value}"`);
}

export function header(ctx: RenderContext, title: string, description: string): Pick<ExperimentInput, 'title' | 'description' | 'tags' | 'system'> {
  return { title, description, tags: ['catalog', ctx.template.name], system: ctx.systemFile };
}

export function kill(target: string | string[] | { random: string[] }, signal?: string): StepInput {
  return { fault: 'kill', target, ...(signal && signal !== 'SIGKILL' ? { signal } : {}) };
}

export type { SloInput };
