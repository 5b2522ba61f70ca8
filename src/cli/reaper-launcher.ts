/**
 * Starts the reaper for a run (see safety/reaper.ts), waits for its handshake, and keeps the
 * heartbeat going. If the reaper goes away mid-run — it exited, or the pipe to it broke — the run
 * has lost its safety net and is told so through `onLost`, so it can abort and revert itself.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaultlineError } from '../errors/index.js';
import { processStartTime } from '../safety/pid.js';
import { HEARTBEAT_MS } from '../safety/reaper.js';

// Built: dist/cli/reaper-main.js. Run from source (tsx, as some tests do): reaper-main.ts, with
// the same module loader this process was started with.
const here = fileURLToPath(import.meta.url);
const fromSource = here.endsWith('.ts');
const entry = fileURLToPath(new URL(fromSource ? './reaper-main.ts' : './reaper-main.js', import.meta.url));
const loaderArgs = fromSource ? moduleLoaderArgs(process.execArgv) : [];
/** Node's start on a busy 2-core machine can take a few seconds; this is far beyond it. */
const HANDSHAKE_TIMEOUT_MS = 20_000;

export interface ReaperHandle {
  pid: number;
  /** The run ended normally: tell the reaper to go away without touching anything. */
  done(): void;
}

export interface ReaperStartOptions {
  /** Epoch ms past which the reaper kills a run that is still alive, then reverts it. */
  deadline?: number;
  /** Called once if the reaper exits or the pipe to it breaks while the run goes on. */
  onLost?(reason: string): void;
}

export async function startReaper(stateDir: string, runId: string, options: ReaperStartOptions = {}): Promise<ReaperHandle> {
  const logPath = join(stateDir, 'logs', 'reaper.log');
  let log: number;
  try {
    mkdirSync(join(stateDir, 'logs'), { recursive: true });
    log = openSync(logPath, 'a');
  } catch (err) {
    throw reaperError(`cannot open its log: ${(err as Error).message}`, logPath);
  }
  const startTime = processStartTime(process.pid) ?? '-';
  const deadline = options.deadline === undefined ? '-' : String(Math.round(options.deadline));
  const args = [...loaderArgs, entry, stateDir, runId, String(process.pid), startTime, deadline];
  // Detached: its own session, so a Ctrl-C to the terminal's process group or a CI job's kill of
  // faultline's group does not take the reaper down with the run it guards.
  const child = spawn(process.execPath, args, { detached: true, stdio: ['pipe', 'pipe', log] });
  closeSync(log);

  let finished = false;
  let lost = false;
  const loseIt = (reason: string) => {
    if (finished || lost) return;
    lost = true;
    options.onLost?.(reason);
  };

  const pid = await new Promise<number>((resolve, reject) => {
    let heard = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(reaperError(why, logPath));
    };
    const timer = setTimeout(() => fail(`no handshake within ${HANDSHAKE_TIMEOUT_MS / 1000} s`), HANDSHAKE_TIMEOUT_MS);
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code, signal) => fail(`it exited (${signal ?? `code ${code}`}) before its handshake`));
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      heard += chunk;
      if (!/^ready \d+\n/.test(heard)) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      resolve(child.pid!);
    });
  });

  child.stdout!.destroy();
  child.unref();
  child.once('exit', (code, signal) => loseIt(`the reaper (pid ${pid}) exited unexpectedly (${signal ?? `code ${code}`}): nothing would revert this run's faults if faultline died`));
  const stdin = child.stdin!;
  stdin.on('error', (err) => loseIt(`the pipe to the reaper (pid ${pid}) broke (${err.message}): nothing would revert this run's faults if faultline died`));
  (stdin as unknown as { unref?: () => void }).unref?.();
  const beat = setInterval(() => stdin.write('beat\n'), HEARTBEAT_MS);
  beat.unref();
  return {
    pid,
    done() {
      finished = true;
      clearInterval(beat);
      stdin.end('done\n');
    },
  };
}

function reaperError(why: string, logPath: string): FaultlineError {
  return new FaultlineError(
    'E_REAPER',
    `the reaper did not start: ${why} (its log: ${logPath}); nothing was injected. Use --no-reaper to run without it (then only \`faultline recover\` reverts faults after a crash of faultline)`,
  );
}

/** The --import/--loader/--require flags (and their values) of this process: what runs TypeScript. */
function moduleLoaderArgs(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  const takesValue = new Set(['--import', '--loader', '--experimental-loader', '--require', '-r']);
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const name = arg.split('=')[0]!;
    if (!takesValue.has(name)) continue;
    out.push(arg);
    if (!arg.includes('=') && i + 1 < execArgv.length) out.push(execArgv[++i]!);
  }
  return out;
}
