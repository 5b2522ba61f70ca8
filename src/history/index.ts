/** The local run history (`<state dir>/history`), trends per experiment, and the regression gate. */
export { historyEntryFor, experimentKey, HISTORY_VERSION, type HistoryEntry } from './entry.js';
export { appendHistory, readHistory, previousRun, historyPath } from './store.js';
export { findRegressions, DEFAULT_TOLERANCE, type Regression } from './regression.js';
export { trends, sparkline, type ExperimentTrend, type SeriesStats } from './trends.js';
export { recordRun, type RecordedRun } from './record-run.js';
