import type { Command } from 'commander';
import { runReaper } from '../../safety/reaper.js';
import { revertKinds } from '../context.js';

/** Hidden: the reaper process a run starts (safety/reaper.ts). Not for people to call. */
export function registerReaper(program: Command, setExit: (code: number) => void): void {
  program
    .command('_reaper', { hidden: true })
    .requiredOption('--state-dir <dir>')
    .requiredOption('--run-id <id>')
    .action(async (opts: { stateDir: string; runId: string }) => {
      const log = (m: string) => process.stderr.write(`${new Date().toISOString()} reaper ${opts.runId}: ${m}\n`);
      const outcome = await runReaper({ stateDir: opts.stateDir, runId: opts.runId, kinds: revertKinds, input: process.stdin, log });
      setExit(outcome.reason === 'done' || outcome.result.failed.length === 0 ? 0 : 4);
    });
}
