/** The live web dashboard: a server with a token, an SSE stream over a replay buffer, the page, and what feeds it. */
export { DashboardServer, type DashboardServerOptions, type DashboardSink } from './server.js';
export { DashboardReporter } from './dashboard-reporter.js';
export { EventStore, DEFAULT_MAX_VOLATILE, type Retention, type StoredEvent, type Replay } from './event-store.js';
export { feedSystem, type SystemFeedOptions } from './system-feed.js';
export { parseListen } from './listen-address.js';
export type { PageMode } from './page/page.js';
