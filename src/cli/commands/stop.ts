import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { STARTED_SERVICE_KIND } from '../../drivers/process/started-service.js';
import { appendAudit } from '../../safety/audit.js';
import { emergencyStop, type EmergencyStopResult } from '../../safety/emergency-stop.js';
import { recoveredCleanly } from '../../safety/recover.js';
import { unindexStateDirIfClean } from '../../safety/state-dir-index.js';
import { durationFlag } from '../quick-fault.js';
import { revertKinds, printJson, type CommonOptions } from '../context.js';
import { describeStatus, recoveryStateDirs } from '../recovery-dirs.js';

export function registerStop(program: Command, setExit: (code: number) => void): void {
  program
    .command('stop')
    .description('Emergency stop: abort every run in progress (they revert their faults and end as aborted, exit 3), then revert anything still open')
    .option('--reason <text>', "recorded in the aborted runs' journals", 'emergency stop')
    .option('--grace <duration>', 'how long runs get to revert and exit; runs still alive then are killed (SIGKILL) and their faults reverted from the ledger', '10s')
    .option('--state-dir <dir>', 'ledger and run state (default: $FAULTLINE_STATE_DIR or ./.faultline, plus every state directory with open faults that faultline knows of for this user)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Only the runs in progress when stop starts are stopped; a run that starts during the grace period
is left alone, and so are its faults.

Exit codes: 0 nothing is left open · 4 a fault could not be reverted, a run could not be killed,
or a ledger line cannot be read (the message says which).`,
    )
    .action(async (opts: CommonOptions & { reason: string; grace: string }) => {
      const log = (m: string) => process.stderr.write(`${m}\n`);
      const graceMs = durationFlag(opts.grace, '--grace', 10_000);
      const dirs = await recoveryStateDirs(opts.stateDir, (s) => log(`${describeStatus(s)} — stopping and reverting`));
      const results: (EmergencyStopResult & { stateDir: string })[] = [];
      for (const stateDir of dirs) {
        if (!existsSync(stateDir)) continue; // nothing ever ran here: create nothing
        const result = await emergencyStop({ stateDir, kinds: revertKinds, log, graceMs, by: `${safeUser()} (faultline stop)`, reason: opts.reason });
        results.push({ ...result, stateDir });
        const failed = result.failed.length + result.unknownKind.length;
        await appendAudit(stateDir, { event: 'stop', outcome: clean(result) ? 'ok' : 'revert-failed', detail: `reverted ${result.reverted.length} fault(s)${failed ? `, ${failed} failed` : ''}` }).catch(() => undefined);
        await unindexStateDirIfClean(stateDir).catch(() => undefined);
      }
      if (opts.json) printJson(results.length === 1 ? results[0] : { stateDirs: results });
      else if (results.length === 0) process.stdout.write(`nothing to stop: no state directory at ${dirs.join(', ')}\n`);
      else for (const result of results) printResult(result);
      setExit(results.every(clean) ? 0 : 4);
    });
}

function clean(result: EmergencyStopResult): boolean {
  return recoveredCleanly(result) && result.unkillable.length === 0;
}

function printResult(result: EmergencyStopResult & { stateDir: string }): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const failed = result.failed.length + result.unknownKind.length;
  out(
    `stopped ${result.stopped.length} run(s)` +
      (result.didNotExit.length ? `, killed ${result.didNotExit.length - result.unkillable.length} that did not exit in time` : '') +
      (result.unkillable.length ? `, ${result.unkillable.length} could not be killed` : '') +
      (result.stale.length ? `, ${result.stale.length} had already died` : '') +
      `; reverted ${result.reverted.length} open fault(s)${failed ? `; ${failed} could not be reverted` : ''} (state dir ${result.stateDir})`,
  );
  for (const f of result.reverted) out(`  ${f.kind === STARTED_SERVICE_KIND ? `stopped ${f.target}, a process the run started` : `reverted ${f.kind} on ${f.target}`} (run ${f.runId})`);
  for (const f of result.failed) out(`  FAILED   ${f.fault.kind} on ${f.fault.target}: ${f.error}`);
  for (const f of result.unknownKind) out(`  FAILED   ${f.kind} on ${f.target}: this faultline has no fault kind "${f.kind}"`);
  for (const s of result.unreadable) out(`  UNREADABLE ${result.ledger}:${s.line}: whether it records a fault still in effect is unknown`);
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown user';
  }
}
