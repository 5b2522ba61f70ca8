/** Command probe: run a command, keep its exit code and the first 64 KiB of its standard output. */
import { spawn, type ChildProcess } from 'node:child_process';
import { startDeadline } from './deadline.js';
import { MAX_CAPTURE_BYTES, type ProbeOptions, type ProbeResult } from './types.js';

/** After the command exits, how long to wait for its output pipe to close (a background child may hold it). */
const OUTPUT_GRACE_MS = 200;

export function commandProbe(command: string | string[], options: ProbeOptions): Promise<ProbeResult> {
  const [file, ...args] = typeof command === 'string' ? ['/bin/sh', '-c', command] : command;
  if (!file) return Promise.resolve({ ok: false, latencyMs: 0, error: 'empty command' });
  const deadline = startDeadline(options.timeout, options.signal);
  const started = performance.now();
  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let child: ChildProcess;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(graceTimer);
      deadline.signal.removeEventListener('abort', onAbort);
      deadline.clear();
      resolve(result);
    };
    const onAbort = (): void => {
      killGroup(child);
      finish({ ok: false, latencyMs: performance.now() - started, error: deadline.reason ?? 'aborted' });
    };
    if (deadline.signal.aborted) return finish({ ok: false, latencyMs: 0, error: deadline.reason ?? 'aborted' });
    try {
      // detached: the command leads its own process group, so a timeout kills it with everything it started.
      child = spawn(file, args, { cwd: options.cwd, detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    } catch (err) {
      return finish({ ok: false, latencyMs: performance.now() - started, error: err instanceof Error ? err.message : String(err) });
    }
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    // Keep draining past the cap so the command never blocks on a full pipe.
    child.stdout?.on('data', (chunk: Buffer) => {
      if (size >= MAX_CAPTURE_BYTES) return;
      const part = chunk.length > MAX_CAPTURE_BYTES - size ? chunk.subarray(0, MAX_CAPTURE_BYTES - size) : chunk;
      chunks.push(part);
      size += part.length;
    });
    child.once('error', (err) => finish({ ok: false, latencyMs: performance.now() - started, error: err.message }));
    child.once('exit', (code, signal) => {
      const latencyMs = performance.now() - started;
      const done = (): void => {
        const result: ProbeResult = { ok: true, latencyMs, stdout: Buffer.concat(chunks, size).toString('utf8') };
        if (code !== null) result.exitCode = code;
        if (signal !== null) result.signal = signal;
        child.stdout?.destroy();
        finish(result);
      };
      if (child.stdout === null || child.stdout.closed) return done();
      child.stdout.once('close', done);
      graceTimer = setTimeout(done, OUTPUT_GRACE_MS);
    });
  });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
