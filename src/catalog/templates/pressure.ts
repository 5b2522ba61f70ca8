/** Pressure: CPU and memory starved (linux driver, root), and a kill under load judged by SLOs. */
import { entryProbe, header, kill, latencyBound, loadAt, PARAMS, recovery, withDefault } from '../common.js';
import type { CatalogTemplate } from '../types.js';

export const resourceExhaustion: CatalogTemplate = {
  name: 'resource-exhaustion',
  description: 'Starve a service of CPU and memory (stress workers inside its cgroups); clients must stay served. Needs root (linux driver)',
  hypothesis: 'url answers 2xx within `latency` throughout; every service healthy within `within` after the stress ends',
  needs: ['root (or CAP_SYS_ADMIN) on Linux with cgroup v2: the linux driver\'s stress faults', 'a process-backed target'],
  parameters: [
    PARAMS.target('the service to starve'),
    { name: 'mode', type: 'choice', choices: ['both', 'cpu', 'memory'], default: 'both', description: 'what to exhaust' },
    { name: 'workers', type: 'number', default: '2', description: 'CPU workers, each worth up to one CPU' },
    { name: 'memory', type: 'string', default: '256m', description: 'memory to hold resident, e.g. 256m or 1g' },
    PARAMS.duration,
    PARAMS.within,
    PARAMS.entry,
    PARAMS.url,
    withDefault(PARAMS.latency, '2s'),
  ],
  render(ctx) {
    const target = ctx.str('target');
    const mode = ctx.str('mode');
    const workers = ctx.number('workers');
    if (!Number.isInteger(workers) || workers < 1) throw ctx.fail('workers', `expected a whole number of workers (1 or more), got "${ctx.str('workers')}"`);
    const fault =
      mode === 'cpu'
        ? { fault: 'cpu-stress', target, workers, duration: ctx.str('duration') }
        : mode === 'memory'
          ? { fault: 'memory-stress', target, size: ctx.str('memory'), duration: ctx.str('duration') }
          : { fault: 'stress', target, cpu: workers, memory: ctx.str('memory'), duration: ctx.str('duration') };
    return {
      ...header(ctx, `Resource exhaustion: ${target} starved of ${mode === 'both' ? 'CPU and memory' : mode === 'cpu' ? 'CPU' : 'memory'} for ${ctx.str('duration')}`, 'Stress workers join the target\'s cgroups (they share its CPU quota and memory limit). Needs root.'),
      tags: ['catalog', 'resource-exhaustion', 'linux'],
      hypothesis: { probes: [entryProbe(ctx)] },
      method: [fault],
      recovery: recovery(ctx),
    };
  },
};

export const loadWithChaos: CatalogTemplate = {
  name: 'load-with-chaos',
  description: 'Kill a service while the system is under load; the load figures must stay within their SLOs',
  hypothesis: 'under load on url: error rate <= `errors` (1%) and p95 <= `p95` (3x the baseline) from the kill until the method ends; url answers before and after; every service healthy within `within`',
  parameters: [
    PARAMS.target('the service to kill under load'),
    withDefault(PARAMS.rate, '20/s'),
    PARAMS.baseline,
    { name: 'errors', type: 'percent', default: '1%', description: 'highest error rate from the kill to the end of the method' },
    { name: 'p95', type: 'string', default: '3x', description: 'highest p95 latency during the fault: a duration (300ms) or a factor of the baseline (3x)' },
    PARAMS.wait,
    PARAMS.within,
    PARAMS.entry,
    PARAMS.url,
    withDefault(PARAMS.latency, '2s'),
  ],
  render(ctx) {
    const target = ctx.str('target');
    const load = loadAt(ctx);
    if (!load) throw ctx.fail('rate', 'load-with-chaos needs load: pass --set rate=<requests per second>, e.g. 20/s (not 0)');
    const p95 = latencyBound(ctx, 'p95');
    return {
      ...header(ctx, `Killing ${target} under ${load.rate}: the SLOs hold`, `${ctx.str('baseline')} of baseline under load, then ${target} is killed; the load figures of the fault and recovery phases are judged.`),
      baseline: ctx.str('baseline'),
      load,
      slos: [
        { name: 'errors while it is down', metric: 'errorRate', max: ctx.str('errors') },
        { name: 'latency while it is down', metric: 'p95', max: p95 },
      ],
      hypothesis: { probes: [entryProbe(ctx, { throughout: false })] },
      method: [kill(target), { wait: ctx.str('wait') }],
      recovery: recovery(ctx),
    };
  },
};
