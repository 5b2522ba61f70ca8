/**
 * Undo every fault the ledger says is still open whose run is gone — after a crash (`faultline
 * recover`), from the reaper, or on an emergency stop.
 *
 * The whole of it — reading the ledger and the run registry, each revert, each outcome written —
 * happens under the state directory's lock (state-lock.ts), so two recoveries never revert the
 * same fault: the second one finds it closed. A fault of a run whose process is still alive is
 * never touched: that run holds it and will revert it (to take it from a live run, stop or kill
 * the run first, as `faultline stop` and `recover --force` do).
 */
import { existsSync } from 'node:fs';
import { RevertError } from '../errors/index.js';
import type { FaultKind } from '../faults/types.js';
import { listActiveRuns } from './active-runs.js';
import { appendAudit } from './audit.js';
import { Ledger, compactLedger, ledgerPath, readLedgerContents, type SkippedLine } from './ledger.js';
import type { RevertedBy } from './ledger-entries.js';
import { openFaults } from './open-faults.js';
import type { OpenFault } from './open-faults.js';
import { describeHolder, withStateLock, type LockOptions } from './state-lock.js';

export interface RecoverOptions {
  stateDir: string;
  /** The registry of fault kinds by name; safety never imports drivers itself. */
  kinds: Readonly<Record<string, FaultKind>>;
  /** Only this run's faults. */
  runId?: string;
  by: RevertedBy;
  /** Recorded with each revert in the ledger (e.g. why the reaper killed the run first). */
  reason?: string;
  log(message: string): void;
  /** Passed to every revert. Once aborted, faults not yet started are left open (see `skipped`). */
  signal?: AbortSignal;
  /** How long to wait for the state directory's lock (default: 60 s). */
  lock?: LockOptions;
}

export interface RecoverResult {
  reverted: OpenFault[];
  failed: { fault: OpenFault; error: string }[];
  /** Open faults whose kind is not in the registry: still open, nothing was tried. */
  unknownKind: OpenFault[];
  /** Open faults not tried because the signal was aborted first. */
  skipped: OpenFault[];
  /** Open faults of runs still alive: left to them. */
  live: OpenFault[];
  /** Ledger lines that could not be read: whether they held an open fault cannot be known. */
  unreadable: SkippedLine[];
  ledger: string;
}

export async function recoverOpenFaults(options: RecoverOptions): Promise<RecoverResult> {
  const { stateDir, by, log } = options;
  // Nothing there: nothing to do, and no state directory created where none was.
  if (!existsSync(stateDir)) return { reverted: [], failed: [], unknownKind: [], skipped: [], live: [], unreadable: [], ledger: ledgerPath(stateDir) };
  return withStateLock(stateDir, `recover (${by})`, () => recoverLocked(options), {
    ...options.lock,
    onWait: (holder) => {
      log(`waiting for the state directory's lock, held by ${describeHolder(holder)}`);
      options.lock?.onWait?.(holder);
    },
  });
}

/**
 * The kind that undoes a ledger record: `driver/kind` first, where a name has a variant per
 * platform (kubernetes/container-kill is not docker's container-kill), then the name alone.
 */
function revertKind(kinds: Record<string, FaultKind>, fault: OpenFault): FaultKind | undefined {
  const qualified = `${fault.driver}/${fault.kind}`;
  if (Object.hasOwn(kinds, qualified)) return kinds[qualified];
  return Object.hasOwn(kinds, fault.kind) ? kinds[fault.kind] : undefined;
}

async function recoverLocked(options: RecoverOptions): Promise<RecoverResult> {
  const { stateDir, kinds, runId, by, log } = options;
  const path = ledgerPath(stateDir);
  const contents = await readLedgerContents(path);
  const result: RecoverResult = { reverted: [], failed: [], unknownKind: [], skipped: [], live: [], unreadable: contents.unreadable, ledger: path };

  // The registry is read under the lock too: a run that is alive now keeps its faults.
  const { active } = await listActiveRuns(stateDir);
  const alive = new Set(active.map((r) => r.runId));
  const pending: OpenFault[] = [];
  for (const fault of openFaults(contents.entries, runId)) (alive.has(fault.runId) ? result.live : pending).push(fault);
  // Faults first, then what must go last (the processes a run started: a fault on them is undone while they still run).
  const last = (f: OpenFault) => (revertKind(kinds, f)?.revertLast ? 1 : 0);
  pending.sort((a, b) => last(a) - last(b));
  if (pending.length === 0) {
    if (contents.entries.length > 0) await compactLedger(stateDir).catch((err: unknown) => log(message(err)));
    return result;
  }

  const signal = options.signal ?? new AbortController().signal;
  // Undoing faults matters more than recording it: if the ledger cannot be written (disk full,
  // read-only), revert anyway; the faults then still look open and a later recover re-reverts them.
  const ledger = await Ledger.open(stateDir).catch((err: unknown) => {
    log(`${message(err)}; reverting without recording`);
    return undefined;
  });
  const record = async (write: (l: Ledger) => Promise<void>) => {
    if (ledger) await write(ledger).catch((err: unknown) => log(message(err)));
  };
  const audit = (fault: OpenFault, outcome: 'fault-reverted' | 'fault-revert-failed', detail?: string) =>
    appendAudit(stateDir, { event: outcome, runId: fault.runId, what: `${fault.kind} on ${fault.target}`, outcome: `${outcome === 'fault-reverted' ? 'reverted' : 'revert-failed'} by ${by}`, ...(detail ? { detail } : {}) }).catch(() => undefined);
  try {
    for (const fault of pending) {
      const kind = revertKind(kinds, fault);
      const ids = { runId: fault.runId, faultId: fault.faultId };
      if (signal.aborted) {
        result.skipped.push(fault);
      } else if (!kind) {
        log(`cannot revert ${describeFault(fault)}: no fault kind "${fault.kind}" is registered`);
        result.unknownKind.push(fault);
      } else {
        try {
          await kind.revert(fault.revertInfo, { signal, runId: fault.runId, log });
        } catch (err) {
          result.failed.push({ fault, error: message(err) });
          await record((l) => l.revertFailed({ ...ids, error: message(err) }));
          await audit(fault, 'fault-revert-failed', message(err));
          continue;
        }
        result.reverted.push(fault);
        await record((l) => l.reverted({ ...ids, by, ...(options.reason ? { reason: options.reason } : {}) }));
        await audit(fault, 'fault-reverted', options.reason);
      }
    }
  } finally {
    await ledger?.close();
  }
  await compactLedger(stateDir).catch((err: unknown) => log(message(err)));
  return result;
}

/** The typed error (exit 4) for whatever a recover left open, or undefined if nothing was. */
export function revertErrorFor(result: RecoverResult, stateDir: string): RevertError | undefined {
  const failures = [
    ...result.failed.map(({ fault, error }) => ({ fault, error })),
    ...result.unknownKind.map((fault) => ({ fault, error: `no fault kind "${fault.kind}" is registered` })),
    ...result.skipped.map((fault) => ({ fault, error: 'not attempted: recovery was aborted' })),
  ];
  if (failures.length === 0) return undefined;
  return new RevertError(
    failures.map(({ fault, error }) => ({ faultId: fault.faultId, kind: fault.kind, target: fault.target, error })),
    ledgerPath(stateDir),
  );
}

/** Nothing this recover could not undo or vouch for: no failure, no unknown kind, nothing skipped, no unreadable line. */
export function recoveredCleanly(result: RecoverResult): boolean {
  return result.failed.length + result.unknownKind.length + result.skipped.length + result.unreadable.length === 0;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function describeFault(fault: OpenFault): string {
  return `${fault.kind} on ${fault.target} (run ${fault.runId}, fault ${fault.faultId})`;
}
