/** Running host tools (nft, tc, ip, nsenter, prlimit, …): async for applying faults, sync for reading state in plan(). */
import { spawn, spawnSync } from 'node:child_process';
import { HostCommandError } from './errors.js';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the command's stdin (e.g. an nft script). */
  input?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** A command line for messages, quoting what needs it. */
export function showCommand(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

export function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], signal: options.signal, timeout: options.timeoutMs ?? 15_000, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') resolve({ code: 127, stdout, stderr: `${cmd}: command not found` });
      else reject(err);
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Runs the command; throws HostCommandError unless it exits 0. */
export async function runOk(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const res = await run(cmd, args, options);
  if (res.code !== 0) throw new HostCommandError(showCommand(cmd, args), res.code, res.stderr || res.stdout);
  return res.stdout;
}

export function runSync(cmd: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): CommandResult {
  const res = spawnSync(cmd, args, { input: options.input ?? '', encoding: 'utf8', timeout: options.timeoutMs ?? 10_000, killSignal: 'SIGKILL' });
  if (res.error && (res.error as NodeJS.ErrnoException).code === 'ENOENT') return { code: 127, stdout: '', stderr: `${cmd}: command not found` };
  return { code: res.status, stdout: res.stdout ?? '', stderr: res.stderr ?? (res.error ? String(res.error) : '') };
}

export function runSyncOk(cmd: string, args: readonly string[], options: { input?: string } = {}): string {
  const res = runSync(cmd, args, options);
  if (res.code !== 0) throw new HostCommandError(showCommand(cmd, args), res.code, res.stderr || res.stdout);
  return res.stdout;
}
