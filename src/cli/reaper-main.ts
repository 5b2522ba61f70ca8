/**
 * The reaper's own entry point (see safety/reaper.ts), started by cli/reaper-launcher.ts. It loads
 * as little as it can before its handshake — a run waits for that handshake before its first
 * fault — and loads the fault kinds (every driver) right after, in the background, so they are
 * ready by the time there is anything to revert.
 *
 * Usage: node reaper-main.js STATE_DIR RUN_ID RUN_PID [RUN_START_TIME|-] [DEADLINE_EPOCH_MS|-]
 * Exit code: 0 nothing left open, 4 some fault could not be reverted.
 */
import { runReaper } from '../safety/reaper.js';

const [stateDir, runId, runPid, runStartTime, deadline] = process.argv.slice(2);
const log = (m: string) => process.stderr.write(`${new Date().toISOString()} reaper ${runId}: ${m}\n`);

if (!stateDir || !runId || !Number.isInteger(Number(runPid))) {
  log(`usage: reaper-main.js STATE_DIR RUN_ID RUN_PID [RUN_START_TIME|-] [DEADLINE|-] (got ${JSON.stringify(process.argv.slice(2))})`);
  process.exit(2);
}
const silence = Number(process.env.FAULTLINE_REAPER_SILENCE_MS);
const kinds = import('./context.js').then((m) => m.revertKinds);
kinds.catch((err: unknown) => log(`cannot load the fault kinds: ${(err as Error).message}`));
const outcome = runReaper({
  stateDir,
  runId,
  runPid: Number(runPid),
  ...(runStartTime && runStartTime !== '-' ? { runStartTime } : {}),
  ...(deadline && deadline !== '-' ? { deadline: Number(deadline) } : {}),
  ...(silence > 0 ? { silenceMs: silence } : {}),
  kinds,
  input: process.stdin,
  log,
});
// The handshake: the run waits for this line before its first fault.
process.stdout.end(`ready ${process.pid}\n`);
const result = await outcome;
process.exitCode = result.reason === 'done' || result.result.failed.length + result.result.unknownKind.length === 0 ? 0 : 4;
