export { Ledger, ledgerPath, readLedger, type SkippedLine } from './ledger.js';
export type { LedgerEntry, IntentEntry, AppliedEntry, RevertedEntry, RevertFailedEntry, RevertedBy } from './ledger-entries.js';
export { openFaults, type OpenFault } from './open-faults.js';
export { recoverOpenFaults, revertErrorFor, type RecoverOptions, type RecoverResult } from './recover.js';
export {
  registerRun,
  unregisterRun,
  readRun,
  listActiveRuns,
  requestStop,
  readStopRequest,
  runsDir,
  type RunInfo,
  type RegisteredRun,
  type ActiveRuns,
  type StopRequest,
} from './active-runs.js';
export { emergencyStop, type EmergencyStopOptions, type EmergencyStopResult } from './emergency-stop.js';
export { resolveStateDir, ensureStateDir, STATE_DIR_ENV } from './state-dir.js';
export { isPidAlive, processStartTime, processState } from './pid.js';
