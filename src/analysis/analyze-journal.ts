/**
 * analyzeJournal(): everything a report shows beyond the journal's own records — per-service
 * figures, cascades, the resilience score, the maturity level and the error budget — derived from
 * the journal alone (time series, faults, service events, load, the system graph), so it can be
 * re-derived from journal.json at any time. Pure: no clock, no I/O.
 */
import type { Analysis, Journal } from '../journal/types.js';
import { analyzeCascades } from './cascade.js';
import { errorBudget } from './error-budget.js';
import { maturityOf, scoreRun } from './score.js';
import { analyzeServices } from './services.js';

export function analyzeJournal(journal: Journal): Analysis {
  const services = analyzeServices(journal);
  const cascades = analyzeCascades(journal);
  const score = scoreRun(journal, services, cascades);
  const impacted = services.filter((s) => s.impacted);
  const allRecovered = impacted.every((s) => s.timeToRecoverMs !== null);
  return {
    version: 1,
    services,
    cascades,
    score,
    maturity: maturityOf(journal, services, cascades, score),
    errorBudget: errorBudget(journal),
    timeToRecoverMs: allRecovered && impacted.length > 0 ? Math.max(...impacted.map((s) => s.timeToRecoverMs!)) : null,
    allRecovered,
  };
}

/** The journal's analysis: the stored one, else derived now (journals written before analysis existed). */
export function analysisOf(journal: Journal): Analysis {
  return journal.analysis ?? analyzeJournal(journal);
}
