/**
 * `faultline dashboard --web`: the live web dashboard's system mode, outside any run. Snapshots
 * every interval (the terminal dashboard's own) until Ctrl-C, SIGTERM or SIGHUP; then the page's
 * stream ends cleanly and the command exits 0.
 */
import type { SnapshotCollector } from '../dashboard/snapshot.js';
import { feedSystem } from '../web-dashboard/system-feed.js';
import { listen } from './dashboard-options.js';

export async function serveSystemDashboard(o: { collector: SnapshotCollector; intervalMs: number; listen: string | undefined; stop: AbortController }): Promise<void> {
  const name = o.collector.system.system.name ?? o.collector.system.file;
  const server = await listen(o.listen, { mode: 'system', title: `System ${name}` });
  process.stderr.write(`faultline: web dashboard of ${name}: ${server.url}\nfaultline: Ctrl-C stops it\n`);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const onSignal = () => o.stop.abort();
  for (const s of signals) process.on(s, onSignal);
  try {
    await feedSystem({ collector: o.collector, sink: server, intervalMs: o.intervalMs, signal: o.stop.signal, onError: (err) => process.stderr.write(`faultline: warning: snapshot failed: ${err.message}\n`) });
  } finally {
    for (const s of signals) process.off(s, onSignal);
    await server.close('faultline dashboard --web has stopped');
  }
}
