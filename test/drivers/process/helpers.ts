/** Shared by the process driver tests: fixtures, temporary dirs, waiting, and killing what a test started. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../helpers/wait.js';
import type { FaultContext } from '../../../src/faults/types.js';
import type { ProcessSpec } from '../../../src/drivers/process/types.js';

export const fixture = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).pathname;
export const node = process.execPath;

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-proc-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Pids a test file started; `killAll()` in after() so nothing outlives the test. */
export class Pids {
  readonly #pids = new Set<number>();
  add(pid: number | undefined): number {
    if (pid === undefined) throw new Error('no pid');
    this.#pids.add(pid);
    return pid;
  }
  killAll(): void {
    for (const pid of this.#pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.#pids.clear();
  }
}

/** A sleeper child with a marker in its command line. */
export async function spawnSleeper(pids: Pids, marker: string, options: SpawnOptions = {}): Promise<ChildProcess> {
  const child = spawn(node, [fixture('sleeper.mjs'), marker], { stdio: 'ignore', ...options });
  pids.add(child.pid);
  await new Promise((res) => child.once('spawn', res));
  return child;
}

/** A suite's time limit: only a guard against a hang, far above what a busy machine takes. */
export const HANG_GUARD_MS = 120_000;

export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  await waitFor(check, { what, timeoutMs, intervalMs: 20 });
}

export function readNumber(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8'));
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export function spec(command: string | string[], overrides: Partial<ProcessSpec> = {}): ProcessSpec {
  return { command, readyTimeout: 5000, stopSignal: 'SIGTERM', stopTimeout: 2000, ...overrides };
}

export function ctx(): FaultContext & { lines: string[] } {
  const lines: string[] = [];
  return { signal: new AbortController().signal, runId: 'test', log: (m) => lines.push(m), lines };
}
