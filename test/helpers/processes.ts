/** Real processes for tests: a tiny HTTP service, /proc state, and cleanup that never leaves one behind. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

export const quickstartServer = join(repoRoot, 'examples', 'quickstart', 'server.mjs');

export function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  const state = procState(pid);
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/** Start the quickstart server on `port`, detached from the test so it survives a killed CLI. */
export function startServer(port: number, env: Record<string, string> = {}): ChildProcess {
  // A marker argument lets `match:` targets find exactly this test's replicas.
  const args = env.REPLICA ? [quickstartServer, `REPLICA_MARK_${process.pid}`] : [quickstartServer];
  return spawn(process.execPath, args, { env: { ...process.env, PORT: String(port), WARMUP_MS: '0', ...env }, stdio: 'ignore' });
}

export function killHard(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(pid, 'SIGCONT');
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

export async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(500) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** The pid of whatever answers on `port` (test/fixtures/service.mjs reports its own), or undefined. */
export async function pidOn(port: number): Promise<number | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
    return ((await res.json()) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}
