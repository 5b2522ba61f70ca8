/**
 * Which runs are going on right now, so `faultline stop` can find them: one file per run,
 * `<stateDir>/runs/<runId>.json`, written when a run starts and removed when it ends. A file
 * whose process is gone is stale: that run crashed, and its faults may still be open.
 *
 * An emergency stop first writes `<runId>.stop`, then sends SIGTERM, so the run can tell a stop
 * request from any other SIGTERM and report who asked and why.
 */
import { readdir, rm } from 'node:fs/promises';
import { readOptional } from '../util/read-optional.js';
import { join } from 'node:path';
import { UsageError } from '../errors/index.js';
import { writeFileAtomic } from './atomic-write.js';
import { mkdirDurable } from './durable.js';
import { isPidAlive, processStartTime } from './pid.js';

export interface RunInfo {
  runId: string;
  pid: number;
  title: string;
  /** The experiment file. */
  file: string;
  /** ISO time. */
  startedAt: string;
}

export interface RegisteredRun extends RunInfo {
  /** The process's start time from /proc, so a reused pid is not mistaken for the run. */
  pidStartTime?: string;
}

export interface ActiveRuns {
  active: RegisteredRun[];
  /** Registered runs whose process is gone: crashed runs whose faults may still be open. */
  stale: RegisteredRun[];
  /** Files under runs/ that are not run records (hand-edited, or not ours). */
  unreadable: string[];
}

export interface StopRequest {
  runId: string;
  /** Who asked: a user name, `faultline stop`, a CI job, … */
  by: string;
  reason: string;
  at: string;
  /** The process that asked. */
  pid: number;
}

export function runsDir(stateDir: string): string {
  return join(stateDir, 'runs');
}

export async function registerRun(stateDir: string, run: RunInfo): Promise<string> {
  const path = runFile(stateDir, run.runId, 'json');
  await mkdirDurable(runsDir(stateDir));
  const record: RegisteredRun = { ...run, pidStartTime: processStartTime(run.pid) };
  await writeFileAtomic(path, `${JSON.stringify(record, null, 2)}\n`);
  return path;
}

export async function unregisterRun(stateDir: string, runId: string): Promise<void> {
  await rm(runFile(stateDir, runId, 'json'), { force: true });
  await rm(runFile(stateDir, runId, 'stop'), { force: true });
}

export async function readRun(stateDir: string, runId: string): Promise<RegisteredRun | undefined> {
  return parseRun(await readOptional(runFile(stateDir, runId, 'json')));
}

export async function listActiveRuns(stateDir: string): Promise<ActiveRuns> {
  const result: ActiveRuns = { active: [], stale: [], unreadable: [] };
  let names: string[];
  try {
    names = await readdir(runsDir(stateDir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return result;
    throw err;
  }
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const path = join(runsDir(stateDir), name);
    const run = parseRun(await readOptional(path));
    if (!run) result.unreadable.push(path);
    else (isPidAlive(run.pid, run.pidStartTime) ? result.active : result.stale).push(run);
  }
  const byStart = (a: RunInfo, b: RunInfo) => a.startedAt.localeCompare(b.startedAt);
  result.active.sort(byStart);
  result.stale.sort(byStart);
  return result;
}

/**
 * Asks a run to stop: records the request, then sends SIGTERM if its process is alive.
 * `signalled` is false when the run was already gone (its faults are then `recover`'s job).
 */
export async function requestStop(
  stateDir: string,
  runId: string,
  { by, reason }: { by: string; reason: string },
): Promise<{ run: RegisteredRun; signalled: boolean }> {
  const run = await readRun(stateDir, runId);
  if (!run) throw new UsageError(`no run "${runId}" is registered in ${runsDir(stateDir)}`);
  const request: StopRequest = { runId, by, reason, at: new Date().toISOString(), pid: process.pid };
  await writeFileAtomic(runFile(stateDir, runId, 'stop'), `${JSON.stringify(request, null, 2)}\n`);
  if (!isPidAlive(run.pid, run.pidStartTime)) return { run, signalled: false };
  try {
    process.kill(run.pid, 'SIGTERM');
    return { run, signalled: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return { run, signalled: false };
    throw err;
  }
}

/** The stop request for a run, if someone made one. */
export async function readStopRequest(stateDir: string, runId: string): Promise<StopRequest | undefined> {
  const text = await readOptional(runFile(stateDir, runId, 'stop'));
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as StopRequest;
  } catch {
    return undefined;
  }
}

// A run id becomes a file name: keep it to one plain path segment.
function runFile(stateDir: string, runId: string, ext: 'json' | 'stop'): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(runId)) {
    throw new UsageError(`invalid run id ${JSON.stringify(runId)}: expected letters, digits, ".", "_" or "-"`);
  }
  return join(runsDir(stateDir), `${runId}.${ext}`);
}

function parseRun(text: string | undefined): RegisteredRun | undefined {
  if (text === undefined) return undefined;
  try {
    const run = JSON.parse(text) as Partial<RegisteredRun> | null;
    const ok =
      typeof run?.runId === 'string' &&
      Number.isInteger(run.pid) &&
      typeof run.title === 'string' &&
      typeof run.file === 'string' &&
      typeof run.startedAt === 'string';
    return ok ? (run as RegisteredRun) : undefined;
  } catch {
    return undefined;
  }
}
