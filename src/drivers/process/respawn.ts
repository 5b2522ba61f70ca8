/**
 * Restarting a process faultline did not start: note how it was run (argv, cwd, environment,
 * where its output went), stop it, and start the same command again, detached, like the
 * original. What cannot be seen from /proc (environment changes made after exec, its parent's
 * restart logic) is not reproduced.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readlinkSync, statSync } from 'node:fs';
import { TargetError } from '../../errors/index.js';
import { readCmdline, readCwd, readEnviron, readStartTicks, sameProcess } from '../../util/proc.js';
import { sendSignal, waitForExit } from './signals.js';
import type { ProcessIdentity, ProcessTarget } from './types.js';

interface Snapshot {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  /** Regular files stdout and stderr were writing to, if any. */
  stdout?: string;
  stderr?: string;
}

const KILL_GRACE_MS = 5000;

export async function respawnProcess(target: ProcessTarget, options: { signal: NodeJS.Signals; timeout: number }): Promise<ProcessIdentity> {
  const snapshot = takeSnapshot(target);
  // From here on the restart runs to the end even if the run is aborted: leaving the service
  // stopped would be worse than finishing a bounded restart.
  if (!sameProcess(target.pid, target.startTicks) || !sendSignal(target.pid, options.signal)) {
    throw new TargetError(`${target.label} is no longer running`, target.service);
  }
  if (!(await waitForExit(target.pid, target.startTicks, options.timeout))) {
    if (sameProcess(target.pid, target.startTicks)) sendSignal(target.pid, 'SIGKILL');
    if (!(await waitForExit(target.pid, target.startTicks, KILL_GRACE_MS))) {
      throw new TargetError(`${target.label} did not exit after ${options.signal} and SIGKILL`, target.service);
    }
  }
  return spawnLike(target, snapshot);
}

function takeSnapshot(target: ProcessTarget): Snapshot {
  try {
    const argv = readCmdline(target.pid);
    if (argv.length === 0) throw new Error('it has no command line (a kernel thread or a zombie)');
    return { argv, cwd: readCwd(target.pid), env: readEnviron(target.pid), stdout: outputFile(target.pid, 1), stderr: outputFile(target.pid, 2) };
  } catch (err) {
    throw new TargetError(`cannot restart ${target.label}: cannot read how it was started: ${(err as Error).message}`, target.service, { cause: err });
  }
}

/** The path behind fd 1 or 2 when it is a regular file (a log), so the new process keeps writing there. */
function outputFile(pid: number, fd: number): string | undefined {
  try {
    const path = readlinkSync(`/proc/${pid}/fd/${fd}`);
    return path.startsWith('/') && statSync(path).isFile() ? path : undefined;
  } catch {
    return undefined; // closed, a pipe, a socket, a terminal, or deleted
  }
}

async function spawnLike(target: ProcessTarget, s: Snapshot): Promise<ProcessIdentity> {
  const fds = [s.stdout, s.stderr].map((path) => (path ? openSync(path, 'a') : undefined));
  try {
    const [file, ...args] = s.argv as [string, ...string[]];
    const child = spawn(file, args, { cwd: s.cwd, env: s.env, detached: true, stdio: ['ignore', fds[0] ?? 'ignore', fds[1] ?? 'ignore'] });
    await new Promise<void>((res, rej) => {
      child.once('spawn', res);
      child.once('error', rej);
    }).catch((err: Error) => {
      throw new TargetError(`${target.label} was stopped but could not be started again (${s.argv.join(' ')} in ${s.cwd}): ${err.message}`, target.service, { cause: err });
    });
    child.unref(); // not ours to wait for: it lives on like the process it replaces
    const pid = child.pid!;
    return { pid, startTicks: readStartTicks(pid) ?? 0 };
  } finally {
    for (const fd of fds) if (fd !== undefined) closeSync(fd);
  }
}
