/** Before a run adds faults: say what earlier runs left open, and which ledger lines cannot be read. */
import { listActiveRuns } from '../safety/active-runs.js';
import { ledgerPath, readLedgerContents } from '../safety/ledger.js';
import { openFaults } from '../safety/open-faults.js';

export async function warnAboutLedger(stateDir: string, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<void> {
  const path = ledgerPath(stateDir);
  const contents = await readLedgerContents(path).catch(() => undefined);
  if (!contents) return;
  for (const s of contents.unreadable) {
    write(`faultline: warning: ${path}:${s.line} cannot be read, so whether it records a fault still in effect is unknown: inspect it, then \`faultline recover\` (which exits 4 while it remains)`);
  }
  const { active } = await listActiveRuns(stateDir).catch(() => ({ active: [] }));
  const live = new Set(active.map((r) => r.runId));
  const open = openFaults(contents.entries).filter((f) => !live.has(f.runId));
  if (open.length === 0) return;
  write(`faultline: warning: ${open.length} fault(s) from earlier runs are still open (${open.map((f) => `${f.kind} on ${f.target}`).join(', ')}); run \`faultline recover\` to revert them`);
}
