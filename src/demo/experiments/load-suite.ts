/**
 * The extended experiments under load, judged by SLOs on the load figures alone (the `load:` and
 * `slos:` blocks), with the hypotheses practice expects. The quick experiments of the suite
 * (service-kill, cache-outage, database-outage) run under the same load in every demo; these add
 * stricter or relative bounds. `shopLoad()` is the shop's traffic on its own.
 */
import type { ExperimentInput } from '../../experiment/define.js';
import type { LoadInput, SloInput } from '../../experiment/schema/load.js';
import { storefront } from './probes.js';
import { shopLoad } from './shop-load.js';
import type { SuiteEntry, SuiteOptions } from './suite.js';

export { shopLoad } from './shop-load.js';

export type LoadExperimentInput = ExperimentInput & { load: LoadInput; slos: SloInput[] };

export function loadSuite(options: SuiteOptions): SuiteEntry[] {
  const p = options.basePort;
  const system = options.system ?? './faultline.yaml';
  const base = (title: string, tags: string[]): Omit<LoadExperimentInput, 'method' | 'slos'> => ({
    title,
    tags: ['demo', 'load', ...tags],
    system,
    baseline: '3s',
    load: shopLoad(p),
    hypothesis: { probes: [storefront(p, false)] },
    recovery: { within: '5s', sustained: 3 },
  });
  const entry = (name: string, set: SuiteEntry['set'], shows: string, experiment: LoadExperimentInput): SuiteEntry => ({
    name,
    shows,
    set,
    needs: ['load'],
    expected: { resilient: 'held', fragile: 'deviated' },
    experiment,
  });
  return [
    entry('cache-outage-under-load', 'extended', 'cache killed under load: >80% served, <10% errors, p95 < 5x baseline', {
      ...base('Cache outage under load: the fallback carries the traffic', ['cache-unavailability']),
      method: [{ fault: 'kill', target: 'cache' }, { wait: '3s' }],
      slos: [
        { name: 'served from the fallback', metric: 'availability', min: '80%' },
        { name: 'error rate', metric: 'errorRate', max: '10%' },
        { name: 'latency increase', metric: 'p95', max: '5x' },
      ],
    }),
  ];
}
