/**
 * The faults the state directory's ledger says are open and the runs in progress, read only: the
 * dashboard takes no lock and creates nothing (a missing state directory is an empty one). A
 * fault whose run is gone is shown as such: `faultline recover` reverts it. The ledger's
 * `started-service` records are no faults: they say which processes a run started (and runs),
 * which is how the dashboard finds a `process:` service that a run, not `faultline up`, supervises.
 */
import { existsSync } from 'node:fs';
import { identityFrom } from '../drivers/process/revert-info.js';
import { STARTED_SERVICE_KIND } from '../drivers/process/started-service.js';
import type { ProcessIdentity } from '../drivers/process/types.js';
import { listActiveRuns } from '../safety/active-runs.js';
import { ledgerPath, readLedgerContents } from '../safety/ledger.js';
import { openFaults } from '../safety/open-faults.js';
import type { FaultView, RunView } from './types.js';

/** A process a live run started for a service. */
export interface StartedProcess extends ProcessIdentity {
  service: string;
  runId: string;
}

export interface LedgerView {
  openFaults: FaultView[];
  runs: RunView[];
  started: StartedProcess[];
  warnings: string[];
}

export async function readLedgerView(stateDir: string): Promise<LedgerView> {
  if (!existsSync(stateDir)) return { openFaults: [], runs: [], started: [], warnings: [] };
  const warnings: string[] = [];
  const path = ledgerPath(stateDir);
  const [contents, registry] = await Promise.all([
    readLedgerContents(path).catch((err: unknown) => {
      warnings.push((err as Error).message);
      return { entries: [], unreadable: [] };
    }),
    listActiveRuns(stateDir).catch((err: unknown) => {
      warnings.push(`cannot read the runs in ${stateDir}: ${(err as Error).message}`);
      return { active: [], stale: [], unreadable: [] };
    }),
  ]);
  for (const line of contents.unreadable) warnings.push(`${path}:${line.line} cannot be read: whether it records an open fault is unknown (faultline recover names it)`);
  const alive = new Set(registry.active.map((r) => r.runId));
  // Oldest first: the order they were injected in.
  const open = openFaults(contents.entries).reverse();
  const faults = open.filter((f) => f.kind !== STARTED_SERVICE_KIND);
  const started: StartedProcess[] = [];
  for (const f of open) {
    if (f.kind !== STARTED_SERVICE_KIND || !alive.has(f.runId)) continue;
    try {
      started.push({ service: f.service, runId: f.runId, ...identityFrom(f.revertInfo, STARTED_SERVICE_KIND) });
    } catch {
      warnings.push(`${path}: the started-service record of ${f.service} (run ${f.runId}) holds no pid`);
    }
  }
  return {
    openFaults: faults.map((f) => ({
      runId: f.runId,
      faultId: f.faultId,
      kind: f.kind,
      service: f.service,
      target: f.target,
      since: f.intentAt,
      applied: f.applied,
      runAlive: alive.has(f.runId),
      lastError: f.lastError ?? null,
    })),
    runs: registry.active.map((r) => ({
      runId: r.runId,
      title: r.title,
      file: r.file,
      pid: r.pid,
      startedAt: r.startedAt,
      services: started.filter((p) => p.runId === r.runId).map((p) => p.service),
    })),
    started,
    warnings,
  };
}
