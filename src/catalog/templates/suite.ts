/**
 * The full resilience suite: the methods of the catalog's other experiments, one after another,
 * in catalog order, with a gap between them, under one hypothesis (url answers throughout) and
 * one recovery expectation. A part is left out when the parameters it needs are not given (the
 * experiment's description says which and why) or when `skip` names it.
 */
import type { StepInput } from '../../experiment/define.js';
import { ParameterError, RenderContext } from '../context.js';
import { entryProbe, header, PARAMS, recovery } from '../common.js';
import type { CatalogTemplate, TemplateParameter } from '../types.js';

/** Suite parameters that stand for a part's `target`. */
const PART_TARGET: Record<string, string> = { 'cache-unavailability': 'cache', 'database-outage': 'database' };

export function fullResilienceSuite(parts: () => CatalogTemplate[]): CatalogTemplate {
  const parameters: TemplateParameter[] = [
    PARAMS.target('the service the kill, latency and partition parts aim at'),
    { name: 'targets', type: 'services', derived: true, default: 'none (multiple-concurrent-failures is left out)', description: 'services to kill together in multiple-concurrent-failures' },
    { name: 'cache', type: 'service', derived: true, default: 'none (cache-unavailability is left out)', description: 'the cache, for cache-unavailability' },
    { name: 'database', type: 'service', derived: true, default: 'none (database-outage is left out)', description: 'the database, for database-outage' },
    { name: 'dependency', type: 'service', derived: true, default: "target's only dependency", description: 'the dependency circuit-breaker-validation and retry-validation fail' },
    { name: 'skip', type: 'string', default: 'resource-exhaustion', description: 'parts to leave out, comma-separated (resource-exhaustion needs root)' },
    { name: 'gap', type: 'duration', default: '10s', description: 'pause between two parts' },
    { name: 'seed', type: 'number', derived: true, default: 'random (recorded in the journal)', description: 'seed for random-kill' },
    { ...PARAMS.wait, derived: true, default: "each part's own" },
    { ...PARAMS.duration, derived: true, default: "each part's own" },
    { name: 'interval', type: 'duration', derived: true, default: "cascading-failure's own (5s)", description: 'time between two kills in cascading-failure' },
    { name: 'delay', type: 'duration', derived: true, default: "dependency-latency's own (2s)", description: 'latency added in dependency-latency' },
    PARAMS.within,
    PARAMS.entry,
    PARAMS.url,
    PARAMS.latency,
  ];
  return {
    name: 'full-resilience-suite',
    description: "The catalog's experiments in order (kills, latency, partition, cache and database outages, …) as one run under one hypothesis",
    hypothesis: 'url answers 2xx within `latency` throughout every part; every service healthy within `within` after the last one',
    parameters,
    render(ctx) {
      const skip = new Set(ctx.list('skip'));
      const unknown = [...skip].filter((s) => !parts().some((p) => p.name === s));
      if (unknown.length) throw ctx.fail('skip', `unknown catalog experiment(s) ${unknown.join(', ')}; the suite's parts are ${parts().map((p) => p.name).join(', ')}`);
      const steps: StepInput[] = [];
      const included: string[] = [];
      const left: string[] = [];
      for (const part of parts()) {
        if (skip.has(part.name)) {
          left.push(`${part.name} (skipped)`);
          continue;
        }
        const values = new Map<string, string>();
        for (const p of part.parameters) {
          const from = p.name === 'target' ? (PART_TARGET[part.name] ?? 'target') : p.name;
          if (from === 'mode' || !parameters.some((q) => q.name === from)) continue;
          const v = ctx.given(from); // not given: the part's own default
          if (v !== undefined) values.set(p.name, v);
        }
        try {
          const problems = RenderContext.check(part, ctx.system, values);
          if (problems.length) throw problems[0]!;
          const rendered = part.render(new RenderContext(part, ctx.system, ctx.systemFile, values));
          if (steps.length) steps.push({ wait: ctx.str('gap') });
          steps.push({ name: part.name, sequence: rendered.method });
          included.push(part.name);
        } catch (err) {
          if (!(err instanceof ParameterError)) throw err;
          const as = PART_TARGET[part.name];
          left.push(as && err.parameter === 'target' ? `${part.name} (pass --set ${as}=<service>)` : `${part.name} (${err.message.replace(/ \(the system file defines: [^)]*\)$/, '')})`);
        }
      }
      if (steps.length === 0) throw ctx.fail('skip', `no part of the suite can run with these parameters: ${left.join('; ')}`);
      const seed = ctx.given('seed');
      return {
        ...header(ctx, `Full resilience suite against ${ctx.str('target')}: ${included.length} experiments in a row`, `Parts: ${included.join(', ')}.${left.length ? ` Left out: ${left.join('; ')}.` : ''}`),
        ...(seed !== undefined ? { seed: Number(seed) } : {}),
        hypothesis: { probes: [entryProbe(ctx)] },
        method: steps,
        recovery: recovery(ctx),
      };
    },
  };
}
