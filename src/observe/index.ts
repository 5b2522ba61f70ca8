export { TimeSeries, type Sample, type SampleListener, type TimeSeriesJSON } from './time-series.js';
export { watch, type WatchOptions, type Watcher } from './watcher.js';
export { analyzeRecovery, availability, endsHealthy, firstSustainedHealthy, type RecoveryAnalysis, type RecoveryWindow } from './recovery.js';
