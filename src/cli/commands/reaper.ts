import type { Command } from 'commander';
import { runReaper } from '../../safety/reaper.js';
import { revertKinds } from '../context.js';

/** Hidden: the reaper process a run starts (safety/reaper.ts, cli/reaper-launcher.ts). Not for people to call. */
export function registerReaper(program: Command, setExit: (code: number) => void): void {
  program
    .command('_reaper', { hidden: true })
    .requiredOption('--state-dir <dir>')
    .requiredOption('--run-id <id>')
    .requiredOption('--run-pid <pid>')
    .option('--run-start-time <ticks>')
    .option('--deadline <epochMs>')
    .action(async (opts: { stateDir: string; runId: string; runPid: string; runStartTime?: string; deadline?: string }) => {
      const log = (m: string) => process.stderr.write(`${new Date().toISOString()} reaper ${opts.runId}: ${m}\n`);
      const silence = Number(process.env.FAULTLINE_REAPER_SILENCE_MS);
      const outcome = runReaper({
        stateDir: opts.stateDir,
        runId: opts.runId,
        runPid: Number(opts.runPid),
        ...(opts.runStartTime ? { runStartTime: opts.runStartTime } : {}),
        ...(opts.deadline ? { deadline: Number(opts.deadline) } : {}),
        ...(silence > 0 ? { silenceMs: silence } : {}),
        kinds: revertKinds,
        input: process.stdin,
        log,
      });
      // The handshake: the run waits for this line before its first fault.
      process.stdout.end(`ready ${process.pid}\n`);
      const result = await outcome;
      setExit(result.reason === 'done' || result.result.failed.length + result.result.unknownKind.length === 0 ? 0 : 4);
    });
}
