/**
 * Runs every controller after each change to the store (coalesced into one pass per tick),
 * until a pass writes nothing: level-triggered, like kube-controller-manager's reconcilers.
 * Event objects do not trigger passes (no controller reads them).
 */
import type { Cluster } from '../cluster.js';

export interface Reconciler {
  reconcile(): void;
}

export function startControllers(cluster: Cluster, controllers: Reconciler[]): () => void {
  let queued = false;
  const pass = (): void => {
    queued = false;
    if (cluster.isClosed) return;
    for (const c of controllers) {
      try {
        c.reconcile();
      } catch (err) {
        // A real controller logs and retries on the next change; so does this one.
        process.stderr.write(`kube stand-in: ${c.constructor.name} failed: ${(err as Error).stack ?? String(err)}\n`);
      }
    }
  };
  const unsubscribe = cluster.store.on((e) => {
    if (e.resource === '/events' || queued) return;
    queued = true;
    setImmediate(pass);
  });
  queued = true;
  setImmediate(pass);
  return unsubscribe;
}
