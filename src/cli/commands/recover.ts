import type { Command } from 'commander';
import { appendAudit } from '../../safety/audit.js';
import { listActiveRuns } from '../../safety/active-runs.js';
import { STARTED_SERVICE_KIND } from '../../drivers/process/started-service.js';
import { recoverOpenFaults } from '../../safety/recover.js';
import { revertKinds, printJson, stateDirFrom, type CommonOptions } from '../context.js';

export function registerRecover(program: Command, setExit: (code: number) => void): void {
  program
    .command('recover')
    .description('Revert every fault the ledger says is still open (after a crash or kill -9 of faultline). Safe to run twice.')
    .option('--run <id>', 'only this run\'s faults')
    .option('--force', 'also revert faults of runs still in progress (they normally revert their own; use `faultline stop` instead)')
    .option('--state-dir <dir>', 'ledger and run state (default: $FAULTLINE_STATE_DIR or ./.faultline)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExit codes: 0 nothing left open · 4 some fault could not be reverted (the message says which).')
    .action(async (opts: CommonOptions & { run?: string; force?: boolean }) => {
      const stateDir = await stateDirFrom(opts);
      const log = (m: string) => process.stderr.write(`${m}\n`);
      const { active } = await listActiveRuns(stateDir);
      const excludeRuns = new Set(opts.force ? [] : active.map((r) => r.runId));
      for (const r of active) if (!opts.force) log(`run ${r.runId} (pid ${r.pid}, "${r.title}") is still in progress: leaving its faults to it (use faultline stop, or --force)`);
      const result = await recoverOpenFaults({ stateDir, kinds: revertKinds, by: 'recover', log, excludeRuns, ...(opts.run ? { runId: opts.run } : {}) });
      const failed = result.failed.length + result.unknownKind.length;
      if (opts.json) printJson({ ...result, stateDir });
      else if (result.reverted.length === 0 && failed === 0) process.stdout.write(`nothing to recover (ledger in ${stateDir})\n`);
      else {
        for (const f of result.reverted) {
          const what = f.kind === STARTED_SERVICE_KIND ? `stopped ${f.target}, a process the run started` : `reverted ${f.kind} on ${f.target}`;
          process.stdout.write(`${what} (run ${f.runId}, fault ${f.faultId})\n`);
        }
        for (const f of result.failed) process.stdout.write(`FAILED   ${f.fault.kind} on ${f.fault.target}: ${f.error}\n`);
        for (const f of result.unknownKind) process.stdout.write(`FAILED   ${f.kind} on ${f.target}: this faultline has no fault kind "${f.kind}"\n`);
      }
      await appendAudit(stateDir, { event: 'recover', outcome: failed > 0 ? 'revert-failed' : 'ok', detail: `reverted ${result.reverted.length} fault(s)${failed ? `, ${failed} failed` : ''}` }).catch(() => undefined);
      setExit(failed > 0 ? 4 : 0);
    });
}
