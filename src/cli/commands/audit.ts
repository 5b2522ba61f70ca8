import type { Command } from 'commander';
import { readAudit } from '../../safety/audit.js';
import { printJson, stateDirFrom, type CommonOptions } from '../context.js';

export function registerAudit(program: Command, setExit: (code: number) => void): void {
  program
    .command('audit')
    .description('List the audit trail: every run, fault, abort, recover and stop — who, when, what, outcome')
    .option('--run <id>', 'only this run')
    .option('-n, --last <n>', 'only the last N entries')
    .option('--state-dir <dir>', 'ledger and run state (default: $FAULTLINE_STATE_DIR or ./.faultline)')
    .option('--json', 'print the entries as JSON')
    .action(async (opts: CommonOptions & { run?: string; last?: string }) => {
      let entries = await readAudit(await stateDirFrom(opts));
      if (opts.run) entries = entries.filter((e) => e.runId === opts.run);
      if (opts.last) entries = entries.slice(-Math.max(0, Number(opts.last) || 0));
      if (opts.json) printJson(entries);
      else if (entries.length === 0) process.stdout.write('no audit entries\n');
      else {
        for (const e of entries) {
          const parts = [e.at, `${e.user}@${e.host}`, e.event.padEnd(19), e.runId ?? '', e.what ?? '', e.outcome ? `→ ${e.outcome}` : '', e.detail ? `(${e.detail})` : '', e.approval ? `approved by ${e.approval.by} until ${e.approval.expiresAt}` : ''];
          process.stdout.write(`${parts.filter(Boolean).join('  ')}\n`);
        }
      }
      setExit(0);
    });
}
