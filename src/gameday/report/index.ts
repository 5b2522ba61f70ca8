/** The combined report of a game day (gameday.md, gameday.html): load once, render twice, write atomically. */
export { writeGamedayReport } from './write.js';
export { loadGameday, readJournalFile } from './load.js';
export { renderGamedayMarkdown } from './markdown.js';
export { renderGamedayHtml } from './html.js';
export { scoreTrend, TREND_LIMIT } from './trend.js';
export { buildTimeline } from './timeline.js';
export type { GamedayReport, ItemVerdict, LoadedItem, ScorePoint, ScoreTrend, TimelineEntry } from './types.js';
