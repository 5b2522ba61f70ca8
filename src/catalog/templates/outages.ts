/** A cache and a database going away: what callers do without them, and that they recover. */
import type { StepInput } from '../../experiment/define.js';
import type { RenderContext } from '../context.js';
import { entryProbe, header, kill, latencyBound, loadAt, PARAMS, recovery, withDefault, type ProbeInput, type SloInput } from '../common.js';
import type { CatalogTemplate, TemplateParameter } from '../types.js';

const mode: TemplateParameter = {
  name: 'mode',
  type: 'choice',
  choices: ['stop', 'kill'],
  default: 'stop',
  description: 'stop: the process is frozen for `duration` (connections hang, then it returns); kill: it crashes and its supervisor must bring it back',
};

/** The outage: freeze for `duration`, or kill and observe for `wait`. */
function outage(ctx: RenderContext, target: string): StepInput[] {
  return ctx.str('mode') === 'stop' ? [{ fault: 'pause', target, duration: ctx.str('duration') }] : [kill(target), { wait: ctx.str('wait') }];
}

export const cacheUnavailability: CatalogTemplate = {
  name: 'cache-unavailability',
  description: 'Take the cache away under load: requests keep succeeding from the fallback, and recover when it returns',
  hypothesis:
    'under load on url: availability >= 80% and error rate <= 10% while the cache is gone, p95 latency <= 5x the baseline; every service healthy within `within` (30 s) after the cache returns. Without load (rate=0): url answers throughout',
  parameters: [
    PARAMS.target('the cache service'),
    mode,
    withDefault(PARAMS.duration, '30s'),
    PARAMS.wait,
    withDefault(PARAMS.rate, '20/s'),
    PARAMS.baseline,
    { name: 'availability', type: 'percent', default: '80%', description: 'share of requests that must succeed while the cache is gone' },
    { name: 'errors', type: 'percent', default: '10%', description: 'highest error rate while the cache is gone' },
    { name: 'p95', type: 'string', default: '5x', description: 'highest p95 latency while the cache is gone: a factor of the baseline p95 (5x) or a duration (500ms)' },
    PARAMS.within,
    PARAMS.entry,
    PARAMS.url,
    withDefault(PARAMS.latency, '2s'),
  ],
  render(ctx) {
    const target = ctx.str('target');
    const load = loadAt(ctx);
    const slos: SloInput[] = load
      ? [
          { name: 'served without the cache', metric: 'availability', min: ctx.str('availability') },
          { name: 'error rate without the cache', metric: 'errorRate', max: ctx.str('errors') },
          { name: 'latency without the cache', metric: 'p95', max: latencyBound(ctx, 'p95') },
        ]
      : [];
    return {
      ...header(ctx, `Cache outage: ${target} gone, requests served from the fallback`, `${target} is ${ctx.str('mode') === 'stop' ? `frozen for ${ctx.str('duration')}` : 'killed'}; callers must fall back (read the source of truth, serve stale copies).`),
      ...(load ? { baseline: ctx.str('baseline'), load, slos } : {}),
      hypothesis: { probes: [entryProbe(ctx, { throughout: !load })] },
      method: outage(ctx, target),
      recovery: recovery(ctx),
    };
  },
};

export const databaseOutage: CatalogTemplate = {
  name: 'database-outage',
  description: 'Take the database away: callers answer 503 (not 500) fast, breakers open, and everything recovers when it returns',
  hypothesis:
    'url answers with a status in `status` (200 or 503: never a 500, never a hang) within `latency` throughout; with caller: its breaker on the database opened (metrics); under load (rate): p95 <= `p95` (100 ms: failures are fast); every service healthy within `within` after the database returns',
  parameters: [
    PARAMS.target('the database service'),
    mode,
    withDefault(PARAMS.duration, '30s'),
    PARAMS.wait,
    { name: 'status', type: 'string', default: '200,503', description: 'statuses url may answer with during the outage (comma-separated)' },
    { name: 'caller', type: 'service', derived: true, default: 'none (no breaker check)', description: 'a service calling the database whose circuit breaker must open (read from its metrics)' },
    { name: 'opened-metric', type: 'string', default: 'shop_breaker_opened_total', description: 'counter of breaker openings, labelled with the dependency (the demo shop\'s name; pass yours)' },
    PARAMS.label,
    PARAMS.metrics,
    PARAMS.rate,
    { name: 'p95', type: 'duration', default: '100ms', description: 'under load: the highest p95 latency while the database is gone' },
    PARAMS.within,
    PARAMS.entry,
    PARAMS.url,
    PARAMS.latency,
  ],
  render(ctx) {
    const target = ctx.str('target');
    const status = ctx.list('status').map(Number);
    if (status.some((s) => !Number.isInteger(s) || s < 100 || s > 599)) throw ctx.fail('status', `expected HTTP statuses such as 200,503, got "${ctx.str('status')}"`);
    const probes: ProbeInput[] = [entryProbe(ctx, { status })];
    const caller = ctx.given('caller');
    if (caller !== undefined) {
      probes.push({
        name: `${caller}'s breaker on ${target} opened`,
        metrics: { url: ctx.metricsUrl(caller), name: ctx.str('opened-metric'), labels: { [ctx.str('label')]: target } },
        expect: { increase: { min: 1 } },
      });
    }
    const load = loadAt(ctx);
    return {
      ...header(ctx, `Database outage: ${target} gone, callers fail fast and honestly, then recover`, `${target} is ${ctx.str('mode') === 'stop' ? `frozen for ${ctx.str('duration')} (connections open, nothing answers: only timeouts notice)` : 'killed'}.`),
      ...(load ? { load, slos: [{ name: 'failures are fast', metric: 'p95', max: ctx.str('p95') }] } : {}),
      hypothesis: { probes },
      method: outage(ctx, target),
      recovery: recovery(ctx),
    };
  },
};
