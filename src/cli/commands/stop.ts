import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { appendAudit } from '../../safety/audit.js';
import { emergencyStop } from '../../safety/emergency-stop.js';
import { durationFlag } from '../quick-fault.js';
import { revertKinds, printJson, stateDirFrom, type CommonOptions } from '../context.js';

export function registerStop(program: Command, setExit: (code: number) => void): void {
  program
    .command('stop')
    .description('Emergency stop: abort every run in progress (they revert their faults and end as aborted, exit 3), then revert anything still open')
    .option('--reason <text>', 'recorded in the aborted runs\' journals', 'emergency stop')
    .option('--grace <duration>', 'how long runs get to revert and exit before faults are reverted under them', '10s')
    .option('--state-dir <dir>', 'ledger and run state (default: $FAULTLINE_STATE_DIR or ./.faultline)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: CommonOptions & { reason: string; grace: string }) => {
      const stateDir = await stateDirFrom(opts);
      const log = (m: string) => process.stderr.write(`${m}\n`);
      const result = await emergencyStop({ stateDir, kinds: revertKinds, log, graceMs: durationFlag(opts.grace, '--grace', 10_000), by: `${safeUser()} (faultline stop)`, reason: opts.reason });
      const failed = result.failed.length + result.unknownKind.length;
      if (opts.json) printJson(result);
      else {
        process.stdout.write(
          `stopped ${result.stopped.length} run(s)` +
            (result.didNotExit.length ? `, ${result.didNotExit.length} did not exit in time` : '') +
            (result.stale.length ? `, ${result.stale.length} had already died` : '') +
            `; reverted ${result.reverted.length} open fault(s)${failed ? `; ${failed} could not be reverted` : ''}\n`,
        );
      }
      await appendAudit(stateDir, { event: 'stop', outcome: failed > 0 ? 'revert-failed' : 'ok', detail: `reverted ${result.reverted.length} fault(s)${failed ? `, ${failed} failed` : ''}` }).catch(() => undefined);
      setExit(failed > 0 ? 4 : 0);
    });
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown user';
  }
}
