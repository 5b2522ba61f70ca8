/** The local run history (`<state dir>/history`), trends per experiment, and the regression gate. */
export { historyEntryFor, experimentKey, catalogKey, HISTORY_VERSION, type HistoryEntry, type RegressionGate, type RunIdentity } from './entry.js';
export { appendHistory, readHistory, previousRun, historyPath } from './store.js';
export { findRegressions, DEFAULT_TOLERANCE, type Regression } from './regression.js';
export { trends, sparkline, type ExperimentTrend, type SeriesStats } from './trends.js';
export { recordRun, type RecordedRun, type RecordOptions } from './record-run.js';
