/**
 * What the proxy benchmarks share (run.ts, scaling.ts): starting and stopping the processes they
 * measure, nginx and haproxy configured alike, wrk and its output, the CPU a process tree used.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const run = promisify(execFile);
export const HERE = fileURLToPath(new URL('.', import.meta.url));
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};

const children: ChildProcess[] = [];
/** The benchmark's scratch directory (tmpfs when there is one: nginx serves its big file from it). */
export const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'faultline-bench-'));

/** Stops what this script started: SIGTERM first (nginx's master then stops its worker), SIGKILL after 3 s. */
export async function stopAll(): Promise<void> {
  const alive = children.filter((c) => c.exitCode === null && c.signalCode === null);
  for (const c of alive) c.kill('SIGTERM');
  await Promise.race([Promise.all(alive.map((c) => new Promise((r) => c.once('close', r)))), sleep(3000)]);
  for (const c of alive) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));

export function start(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on ${port}`);
}

/**
 * faultline's proxy as a subject: the bundle run.sh builds (plain JS, as the installed CLI runs
 * it), else the TypeScript through tsx (whose loader adds garbage-collection work: slower).
 * FAULTLINE_BENCH_WORKERS=N in env serves it from N worker processes.
 */
export function faultlineProxy(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const bundle = process.env.FAULTLINE_BENCH_PROXY;
  const argv = bundle ? [bundle, ...args] : ['--import', 'tsx', join(HERE, 'faultline-proxy.ts'), ...args];
  return start(process.execPath, argv, env);
}

/** A process and its descendants (nginx's worker, the proxy's worker processes), from /proc. */
export function processTree(pid: number): number[] {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return [pid, ...kids.flatMap(processTree)];
  } catch {
    return [];
  }
}

/** CPU time (ms) one process has used itself (user + system), or 0 once it is gone. */
export function ownCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // USER_HZ = 100
  } catch {
    return 0;
  }
}

/** CPU time (ms) a process and its descendants have used. */
export function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  return processTree(pid).reduce((sum, p) => sum + ownCpuMs(p), 0);
}

/** Pins a process and its descendants, every thread, to CPUS (taskset's list: "0", "1", "0,1"). */
export async function pin(pid: number, cpus: string): Promise<void> {
  for (const p of processTree(pid)) await run('taskset', ['-a', '-c', '-p', cpus, String(p)]);
}

/** nginx, one worker process: `/small` answers "hello\n", `/big` a 64 MiB file from `dir`. */
export function startNginx(port: number): ChildProcess {
  const big = join(dir, 'big.bin');
  writeFileSync(big, Buffer.alloc(64 * 1024 * 1024, 7), { mode: 0o644 });
  chmodSync(dir, 0o755); // nginx's workers run as nobody
  const conf = join(dir, `nginx-${port}.conf`);
  writeFileSync(
    conf,
    `worker_processes 1; daemon off; pid ${dir}/nginx-${port}.pid; error_log ${dir}/nginx-error.log;
events { worker_connections 8192; }
http { access_log off; sendfile on; keepalive_requests 10000000;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  server { listen 127.0.0.1:${port} backlog=8192;
    location = /small { return 200 "hello\\n"; }
    location = /big { alias ${big}; } } }
`,
  );
  return start('nginx', ['-c', conf]);
}

/** haproxy in TCP mode with `nbthread` threads, from `port` to `upstream`. */
export function startHaproxy(port: number, upstream: number, nbthread = 1): ChildProcess {
  const conf = join(dir, `haproxy-${port}.cfg`);
  writeFileSync(
    conf,
    `global\n  nbthread ${nbthread}\n  maxconn 8000\ndefaults\n  mode tcp\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\nlisten bench\n  bind 127.0.0.1:${port}\n  server s 127.0.0.1:${upstream}\n`,
  );
  return start('haproxy', ['-db', '-f', conf]);
}

// ------------------------------------------------------------------ wrk
export function toMicros(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (!m) return NaN;
  return Number(m[1]) * { us: 1, ms: 1000, s: 1_000_000 }[m[2] as 'us' | 'ms' | 's'];
}

export function toMB(text: string): number {
  const m = /^([\d.]+)(B|KB|MB|GB)$/.exec(text.trim());
  if (!m) return NaN;
  return Number(m[1]) * { B: 1e-6, KB: 1 / 1024, MB: 1, GB: 1024 }[m[2] as 'B' | 'KB' | 'MB' | 'GB'];
}

/** `wrk -t1 -dNs ARGS`, optionally pinned with taskset. */
export async function wrk(seconds: number, args: string[], cpus?: string): Promise<string> {
  const argv = ['-t1', `-d${seconds}s`, ...args];
  const { stdout } = cpus ? await run('taskset', ['-c', cpus, 'wrk', ...argv], { maxBuffer: 1 << 20 }) : await run('wrk', argv, { maxBuffer: 1 << 20 });
  return stdout;
}

export const requests = (out: string): number => Number(/(\d+) requests in/.exec(out)![1]);
export const rate = (out: string): number => Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]);

// ------------------------------------------------------------------ figures
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const loadAverage = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
