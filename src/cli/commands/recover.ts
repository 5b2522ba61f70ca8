import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { ledgerPath, readLedger } from '../../safety/ledger.js';
import { openFaults } from '../../safety/open-faults.js';
import { appendAudit } from '../../safety/audit.js';
import { listActiveRuns, unregisterRun } from '../../safety/active-runs.js';
import { killRuns } from '../../safety/kill-runs.js';
import { STARTED_SERVICE_KIND } from '../../drivers/process/started-service.js';
import { recoverOpenFaults, recoveredCleanly, type RecoverResult } from '../../safety/recover.js';
import { unindexStateDirIfClean } from '../../safety/state-dir-index.js';
import { revertKinds, printJson, type CommonOptions } from '../context.js';
import { describeStatus, recoveryStateDirs } from '../recovery-dirs.js';
import { addKubeContextOption, applyKubeContext } from '../kube-options.js';
import { sweepKubernetes } from '../kube-sweep.js';

export function registerRecover(program: Command, setExit: (code: number) => void): void {
  addKubeContextOption(program.command('recover'))
    .description('Revert every fault the ledger says is still open whose run is gone (after a crash or kill -9 of faultline). Safe to run twice, and from two terminals at once.')
    .option('--run <id>', "only this run's faults")
    .option('--force', 'also take over runs still in progress: kill them (SIGKILL) first, then revert their faults (prefer `faultline stop`, which lets them revert and report)')
    .option('--state-dir <dir>', 'ledger and run state (default: $FAULTLINE_STATE_DIR or ./.faultline, plus every state directory with open faults that faultline knows of for this user)')
    .option('--json', 'print the result as JSON')
    .option('-s, --system <file>', 'Kubernetes: also delete leftover Chaos Mesh resources of finished runs in this system\'s cluster and namespaces, found by label even without a ledger (default: ./faultline.yaml when it has a kubernetes block)')
    .option('--all-hosts', 'Kubernetes: also delete leftovers created from other machines (their runs may still be alive there)')
    .addHelpText(
      'after',
      `
Runs still in progress keep their faults: they revert them themselves (use faultline stop).

Exit codes:
  0  nothing is left open
  4  a fault could not be reverted, or a ledger line cannot be read so whether it records a fault
     still in effect is unknown (the message names each, as file:line); fix or remove the line,
     then run recover again`,
    )
    .action(async (opts: CommonOptions & { run?: string; force?: boolean; system?: string; context?: string; allHosts?: boolean }) => {
      applyKubeContext(opts);
      const log = (m: string) => process.stderr.write(`${m}\n`);
      const dirs = await recoveryStateDirs(opts.stateDir, (s) => log(`${describeStatus(s)} — reverting`));
      const results: (RecoverResult & { stateDir: string })[] = [];
      for (const stateDir of dirs) {
        if (!existsSync(stateDir)) {
          results.push({ reverted: [], failed: [], unknownKind: [], skipped: [], live: [], unreadable: [], ledger: ledgerPath(stateDir), stateDir });
          continue; // nothing ever ran here: create nothing
        }
        const { active } = await listActiveRuns(stateDir);
        const mine = active.filter((r) => opts.run === undefined || r.runId === opts.run);
        if (opts.force) {
          for (const r of mine) log(`run ${r.runId} (pid ${r.pid}, "${r.title}") is still in progress: killing it (--force)`);
          await killRuns(mine, log);
        }
        const result = await recoverOpenFaults({ stateDir, kinds: revertKinds, by: 'recover', log, ...(opts.run ? { runId: opts.run } : {}) });
        for (const r of mine.filter((run) => result.live.some((f) => f.runId === run.runId))) {
          log(`run ${r.runId} (pid ${r.pid}, "${r.title}") is still in progress: leaving its faults to it (faultline stop, or --force)`);
        }
        results.push({ ...result, stateDir });
        await forgetDeadRuns(stateDir, result);
        const failed = result.failed.length + result.unknownKind.length;
        await appendAudit(stateDir, { event: 'recover', outcome: recoveredCleanly(result) ? 'ok' : 'revert-failed', detail: `reverted ${result.reverted.length} fault(s)${failed ? `, ${failed} failed` : ''}${result.unreadable.length ? `, ${result.unreadable.length} unreadable ledger line(s)` : ''}` }).catch(() => undefined);
        await unindexStateDirIfClean(stateDir).catch(() => undefined);
      }
      // After the ledger: what it knew of is reverted; what is left by label has nobody else to undo it.
      const sweep = opts.run === undefined ? await sweepKubernetes(opts.system, dirs, { allHosts: opts.allHosts === true, log }) : undefined;
      if (opts.json) printJson(dirs.length === 1 && !sweep ? results[0] : { stateDirs: results, ...(sweep ? { kubernetes: sweep } : {}) });
      else {
        for (const result of results) printResult(result);
        if (sweep) printSweep(sweep);
      }
      setExit(results.every(recoveredCleanly) && (sweep?.failed.length ?? 0) === 0 ? 0 : 4);
    });
}

function printResult(result: RecoverResult & { stateDir: string }): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const nothing = result.reverted.length + result.failed.length + result.unknownKind.length + result.skipped.length + result.unreadable.length === 0;
  if (nothing) {
    out(`nothing to recover (ledger in ${result.stateDir})${result.live.length ? `; ${result.live.length} fault(s) held by runs in progress` : ''}`);
    return;
  }
  for (const f of result.reverted) {
    const what = f.kind === STARTED_SERVICE_KIND ? `stopped ${f.target}, a process the run started` : `reverted ${f.kind} on ${f.target}`;
    out(`${what} (run ${f.runId}, fault ${f.faultId})`);
  }
  for (const f of result.failed) out(`FAILED   ${f.fault.kind} on ${f.fault.target}: ${f.error}`);
  for (const f of result.unknownKind) out(`FAILED   ${f.kind} on ${f.target}: this faultline has no fault kind "${f.kind}"`);
  for (const f of result.skipped) out(`NOT DONE ${f.kind} on ${f.target}: recovery was interrupted`);
  for (const s of result.unreadable) out(`UNREADABLE ${result.ledger}:${s.line}: ${JSON.stringify(s.text.slice(0, 80))}: whether it records a fault still in effect is unknown`);
}

function printSweep(sweep: NonNullable<Awaited<ReturnType<typeof sweepKubernetes>>>): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  for (const d of sweep.deleted) out(`deleted ${d.plural} ${d.namespace}/${d.name} (run ${d.runId}, found by its labels in context ${sweep.context})`);
  for (const k of sweep.kept) out(`left    ${k.plural} ${k.namespace}/${k.name}: ${k.why}`);
  for (const f of sweep.failed) out(`FAILED  ${f.plural} ${f.namespace}/${f.name}: ${f.error}`);
  for (const n of sweep.notes) out(`note: ${n}`);
  if (sweep.deleted.length + sweep.kept.length + sweep.failed.length === 0) out(`no faultline Chaos Mesh resources left in context ${sweep.context}`);
}

/** Crashed runs with nothing left open in the ledger: forget them, so nothing lists them again. */
async function forgetDeadRuns(stateDir: string, result: RecoverResult): Promise<void> {
  const leftOpen = new Set(openFaults(await readLedger(result.ledger)).map((f) => f.runId));
  const { stale } = await listActiveRuns(stateDir);
  for (const run of stale) if (!leftOpen.has(run.runId)) await unregisterRun(stateDir, run.runId).catch(() => undefined);
}
