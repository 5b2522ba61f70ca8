/** Shared pieces for the safety tests: temp state dirs, tiny real fault kinds, child processes. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { waitFor } from '../helpers/wait.js';
import type { FaultKind, FaultTarget } from '../../src/faults/types.js';

export async function tempDir(prefix = 'faultline-safety-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

/** A real fault: a marker file exists while it is in effect. Revert deletes it, idempotently. */
export function markerKind(name = 'marker', calls: string[] = []): FaultKind<{ file: string }> {
  return {
    name,
    driver: 'test',
    summary: 'creates a marker file while in effect',
    timing: 'held',
    params: z.object({ file: z.string() }),
    plan: (_target, params) => ({ file: params.file }),
    async inject(_target, params) {
      await writeFile(params.file, 'fault in effect\n');
      return {};
    },
    async revert(info) {
      calls.push(String(info['file']));
      await rm(String(info['file']), { force: true });
    },
  };
}

/** A fault kind whose revert always fails. */
export function brokenKind(name = 'broken'): FaultKind<{ file: string }> {
  return {
    ...markerKind(name),
    async revert() {
      throw new Error('the undo is broken');
    },
  };
}

/** SIGSTOP as a fault on a real process; revert sends SIGCONT (harmless if already running or gone). */
export const sigstopKind: FaultKind<unknown, FaultTarget & { pid: number }> = {
  name: 'sigstop',
  driver: 'process',
  summary: 'freezes a process with SIGSTOP',
  timing: 'held',
  params: z.unknown(),
  plan: (target) => ({ pid: target.pid }),
  async inject(target) {
    process.kill(target.pid, 'SIGSTOP');
    return { details: { pid: target.pid } };
  },
  async revert(info) {
    try {
      process.kill(Number(info['pid']), 'SIGCONT');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  },
};

/** A node child that idles until killed (a `sleep 30` without depending on coreutils). */
export function spawnIdle(extraScript = ''): ChildProcess {
  return spawn(process.execPath, ['-e', `${extraScript}; setTimeout(() => {}, 30000)`], { stdio: 'ignore' });
}

/** A child that has already exited (its pid is dead and reaped). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid!;
}

/** Starts a fixture of test/safety/fixtures with tsx and resolves once it printed `line` (its stdin is a pipe). */
export async function startFixture(name: string, args: string[], line: string): Promise<{ child: ChildProcess; output: () => string }> {
  const script = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes(`${line}\n`)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before printing "${line}": ${out}`)));
  });
  return { child, output: () => out };
}

/** Starts test/safety/fixtures/fake-run.ts and resolves once it has registered and applied its fault. */
export async function startFakeRun(args: { stateDir: string; runId: string; mode: 'cooperative' | 'stubborn'; outFile: string; markerFile?: string }): Promise<ChildProcess> {
  const { child } = await startFixture('fake-run.ts', [args.stateDir, args.runId, args.mode, args.outFile, args.markerFile ?? '-'], 'ready');
  return child;
}

export function killQuietly(child: ChildProcess | undefined): void {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export async function until(check: () => boolean, timeoutMs = 10_000, what = 'a condition'): Promise<void> {
  await waitFor(check, { what, timeoutMs, intervalMs: 20 });
}

export const silent = (): void => {};
