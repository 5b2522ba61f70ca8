/** The catalog of standard experiments, in the order `experiments list` shows them and the suite runs them. */
import { cacheUnavailability, databaseOutage } from './templates/outages.js';
import { cascadingFailure, disasterRecovery, multipleConcurrentFailures, randomKill, serviceKill } from './templates/kills.js';
import { dependencyLatency, networkPartition } from './templates/network.js';
import { loadWithChaos, resourceExhaustion } from './templates/pressure.js';
import { circuitBreakerValidation, retryValidation } from './templates/resilience-metrics.js';
import { fullResilienceSuite } from './templates/suite.js';
import { promqlAvailability, promqlErrorRate, promqlLatencyP95 } from './templates/promql-slos.js';
import type { CatalogTemplate } from './types.js';

/** What the full resilience suite runs: everything before it in the catalog. */
const SUITE_PARTS: CatalogTemplate[] = [
  serviceKill,
  randomKill,
  cascadingFailure,
  multipleConcurrentFailures,
  dependencyLatency,
  networkPartition,
  cacheUnavailability,
  databaseOutage,
  resourceExhaustion,
  loadWithChaos,
  circuitBreakerValidation,
  retryValidation,
];

// The PromQL templates need the team's Prometheus, so the suite (which runs on any system) leaves them out.
export const CATALOG: readonly CatalogTemplate[] = [...SUITE_PARTS, fullResilienceSuite(() => SUITE_PARTS), disasterRecovery, promqlErrorRate, promqlAvailability, promqlLatencyP95];

export function catalogTemplate(name: string): CatalogTemplate | undefined {
  return CATALOG.find((t) => t.name === name);
}

