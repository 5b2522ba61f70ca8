/**
 * A small per-user index of the state directories that may hold open faults, so `faultline
 * recover` and `faultline stop` run from another directory still find them. One file per state
 * directory under `$XDG_STATE_HOME/faultline/state-dirs/` (default `~/.local/state/faultline/`),
 * named by a hash of its path: adding and removing are single file operations, so two runs never
 * lose each other's entry. An entry is added when a run starts and dropped once its state
 * directory has neither open faults nor registered runs. The index is a convenience: failing to
 * update it never fails a run.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { listActiveRuns } from './active-runs.js';
import { writeFileAtomic } from './atomic-write.js';
import { mkdirDurable } from './durable.js';
import { ledgerPath, readLedgerContents } from './ledger.js';
import { openFaults } from './open-faults.js';

export function stateDirIndexDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME?.trim() ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(base, 'faultline', 'state-dirs');
}

function entryPath(stateDir: string, env?: NodeJS.ProcessEnv): string {
  const id = createHash('sha256').update(resolve(stateDir)).digest('hex').slice(0, 20);
  return join(stateDirIndexDir(env), `${id}.json`);
}

/** Adds the state directory to the index. */
export async function indexStateDir(stateDir: string, env?: NodeJS.ProcessEnv): Promise<void> {
  await mkdirDurable(stateDirIndexDir(env));
  await writeFileAtomic(entryPath(stateDir, env), `${JSON.stringify({ stateDir: resolve(stateDir), at: new Date().toISOString() })}\n`);
}

/** What a state directory holds that someone may need to act on. */
export interface StateDirStatus {
  stateDir: string;
  openFaults: number;
  /** Registered runs, alive or crashed. */
  runs: number;
  unreadableLines: number;
}

export async function stateDirStatus(stateDir: string): Promise<StateDirStatus> {
  const contents = await readLedgerContents(ledgerPath(stateDir));
  const runs = await listActiveRuns(stateDir).catch(() => ({ active: [], stale: [], unreadable: [] }));
  return {
    stateDir,
    openFaults: openFaults(contents.entries).length,
    runs: runs.active.length + runs.stale.length,
    unreadableLines: contents.unreadable.length,
  };
}

function needsAttention(s: StateDirStatus): boolean {
  return s.openFaults + s.runs + s.unreadableLines > 0;
}

/** Drops the state directory from the index if nothing in it needs attention any more. */
export async function unindexStateDirIfClean(stateDir: string, env?: NodeJS.ProcessEnv): Promise<void> {
  if (needsAttention(await stateDirStatus(stateDir))) return;
  await rm(entryPath(stateDir, env), { force: true });
}

/** Indexed state directories that still need attention; entries for clean or vanished ones are pruned. */
export async function indexedStateDirs(env?: NodeJS.ProcessEnv): Promise<StateDirStatus[]> {
  const dir = stateDirIndexDir(env);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const found: StateDirStatus[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const path = join(dir, name);
    let stateDir: string | undefined;
    try {
      stateDir = (JSON.parse(await readFile(path, 'utf8')) as { stateDir?: unknown }).stateDir as string | undefined;
    } catch {
      stateDir = undefined;
    }
    if (typeof stateDir !== 'string') continue; // not ours: leave it
    const status = await stateDirStatus(stateDir).catch(() => undefined);
    if (status && needsAttention(status)) found.push(status);
    else await rm(path, { force: true }).catch(() => undefined);
  }
  return found;
}
