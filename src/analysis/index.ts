/** Analysis: pure functions from a Journal to the figures reports show. Imports journal, observe and util only. */
export { analyzeJournal, analysisOf } from './analyze-journal.js';
export { systemGraph, dependencyPath, dependents, type GraphInput } from './system-graph.js';
export { analyzeCascades, cascadeSummary, episodes } from './cascade.js';
export { analyzeServices } from './services.js';
export { scoreRun, maturityOf, WEIGHTS, DEFAULT_RECOVERY_REFERENCE_MS } from './score.js';
export { errorBudget, objectiveOf, DEFAULT_OBJECTIVE, BUDGET_PERIOD_MS } from './error-budget.js';
