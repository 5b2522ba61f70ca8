/**
 * Undo every fault the ledger says is still open — after a crash (`faultline recover`), on an
 * emergency stop, or from a run's own abort path. Each revert is recorded as it happens, so a
 * second call (or a concurrent one) only finds what is genuinely still open.
 */
import { RevertError } from '../errors/index.js';
import type { FaultKind } from '../faults/types.js';
import { Ledger, ledgerPath, readLedger } from './ledger.js';
import type { RevertedBy } from './ledger-entries.js';
import { openFaults } from './open-faults.js';
import type { OpenFault } from './open-faults.js';

export interface RecoverOptions {
  stateDir: string;
  /** The registry of fault kinds by name; safety never imports drivers itself. */
  kinds: Readonly<Record<string, FaultKind>>;
  /** Only this run's faults. */
  runId?: string;
  /** Leave these runs' faults alone (runs still in progress revert their own). */
  excludeRuns?: ReadonlySet<string>;
  by: RevertedBy;
  log(message: string): void;
  /** Passed to every revert. Once aborted, faults not yet started are left open (see `skipped`). */
  signal?: AbortSignal;
}

export interface RecoverResult {
  reverted: OpenFault[];
  failed: { fault: OpenFault; error: string }[];
  /** Open faults whose kind is not in the registry: still open, nothing was tried. */
  unknownKind: OpenFault[];
  /** Open faults not tried because the signal was aborted first. */
  skipped: OpenFault[];
}

export async function recoverOpenFaults(options: RecoverOptions): Promise<RecoverResult> {
  const { stateDir, kinds, runId, by, log } = options;
  const path = ledgerPath(stateDir);
  const pending = openFaults(await readLedger(path, ({ line, text }) => log(`ledger ${path}:${line}: skipped unreadable line ${JSON.stringify(text.slice(0, 80))}`)), runId).filter((f) => !options.excludeRuns?.has(f.runId));
  // Faults first, then what must go last (the processes a run started: a fault on them is undone while they still run).
  const last = (f: OpenFault) => (Object.hasOwn(kinds, f.kind) && kinds[f.kind]!.revertLast ? 1 : 0);
  pending.sort((a, b) => last(a) - last(b));
  const result: RecoverResult = { reverted: [], failed: [], unknownKind: [], skipped: [] };
  if (pending.length === 0) return result; // nothing to do: do not even create the state dir

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
  try {
    for (const fault of pending) {
      const kind = Object.hasOwn(kinds, fault.kind) ? kinds[fault.kind] : undefined;
      const ids = { runId: fault.runId, faultId: fault.faultId };
      if (signal.aborted) {
        result.skipped.push(fault);
      } else if (!kind) {
        log(`cannot revert ${describe(fault)}: no fault kind "${fault.kind}" is registered`);
        result.unknownKind.push(fault);
      } else {
        try {
          await kind.revert(fault.revertInfo, { signal, runId: fault.runId, log });
        } catch (err) {
          log(`revert failed for ${describe(fault)}: ${message(err)}`);
          result.failed.push({ fault, error: message(err) });
          await record((l) => l.revertFailed({ ...ids, error: message(err) }));
          continue;
        }
        log(`reverted ${describe(fault)}`);
        result.reverted.push(fault);
        await record((l) => l.reverted({ ...ids, by }));
      }
    }
  } finally {
    await ledger?.close();
  }
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

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function describe(fault: OpenFault): string {
  return `${fault.kind} on ${fault.target} (run ${fault.runId}, fault ${fault.faultId})`;
}
