/** A real `faultline proxy [--workers N]` process for the worker tests, and what they ask of it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { collect, dial, waitFor } from './helpers.js';

const CLI = fileURLToPath(new URL('./fixtures/proxy-cli.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built CLI, as users run it: its worker processes start from dist/proxy/workers/worker-main.js. */
export const BUILT_CLI = fileURLToPath(new URL('../../bin/faultline.js', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  out(): string;
  exit: Promise<number | null>;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }>;
  /** Per-worker accepted connections for a proxy, from /metrics: slot -> count. */
  perWorker(proxy: string): Promise<Map<string, number>>;
  /** Live worker pids by slot, from /metrics. */
  pids(): Promise<Map<string, number>>;
  metrics(): Promise<string>;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, built = false): { child: ChildProcess; out: () => string; exit: Promise<number | null> } {
  const argv = built ? [BUILT_CLI, ...args] : ['--import', 'tsx', CLI, ...args];
  const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, out: () => out, exit };
}

export async function startServer(workers: number, env: NodeJS.ProcessEnv = {}, built = false): Promise<ServerProcess> {
  const r = runCli(['proxy', '--listen', '127.0.0.1:0', '--workers', String(workers)], env, built);
  await Promise.race([
    waitFor(() => /API on (http:\S+)/.test(r.out()), 60_000, `the API of faultline proxy --workers ${workers} to start`),
    r.exit.then((code) => Promise.reject(new Error(`faultline proxy --workers ${workers} exited ${code}: ${r.out()}`))),
  ]);
  const url = /API on (http:\S+)/.exec(r.out())![1]!;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
  };
  const metrics = async () => (await fetch(`${url}/metrics`)).text();
  return {
    ...r,
    url,
    api,
    metrics,
    async perWorker(proxy: string) {
      const counts = new Map<string, number>();
      for (const m of (await metrics()).matchAll(/^faultline_proxy_worker_connections_total\{proxy="([^"]+)",worker="(\d+)"\} (\d+)$/gm)) {
        if (m[1] === proxy) counts.set(m[2]!, Number(m[3]));
      }
      return counts;
    },
    async pids() {
      const pids = new Map<string, number>();
      for (const m of (await metrics()).matchAll(/^faultline_proxy_worker_info\{worker="(\d+)",pid="(\d+)"\} 1$/gm)) pids.set(m[1]!, Number(m[2]));
      return pids;
    },
  };
}

/** One connection: sends `text`, half-closes, and resolves with what came back, the error if any, and the round trip in ms. */
export async function echoOnce(port: number, text: string): Promise<{ data: string; error?: string; ms: number }> {
  const t0 = performance.now();
  let s: Awaited<ReturnType<typeof dial>>;
  try {
    s = await dial(port);
  } catch (err) {
    // A down proxy may reset a connection before the client sees it established.
    return { data: '', error: (err as NodeJS.ErrnoException).code ?? String(err), ms: performance.now() - t0 };
  }
  const rx = collect(s);
  s.end(text);
  const { data, error } = await rx.done;
  return { data: data.toString(), ...(error ? { error } : {}), ms: performance.now() - t0 };
}

/** `n` connections, `parallel` at a time. */
export async function many<T>(n: number, parallel: number, one: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < n) {
        const i = next++;
        results[i] = await one(i);
      }
    }),
  );
  return results;
}

/** Counts since `before`, slot by slot. */
export function delta(after: Map<string, number>, before: Map<string, number>): Map<string, number> {
  return new Map([...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)]));
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs batches of `one` (20 connections, 10 at a time) until every worker has accepted at least
 * one of them (the kernel, not the test, spreads connections), at most 20 batches; returns every result.
 */
export async function untilEveryWorker<T>(server: ServerProcess, proxy: string, workers: number, one: (i: number) => Promise<T>): Promise<T[]> {
  const mark = await server.perWorker(proxy);
  const results: T[] = [];
  for (let batch = 0; batch < 20; batch++) {
    results.push(...(await many(20, 10, (i) => one(results.length + i))));
    const d = delta(await server.perWorker(proxy), mark);
    if (d.size === workers && [...d.values()].every((n) => n > 0)) return results;
  }
  throw new Error(`${results.length} connections, and still some worker of ${workers} accepted none: ${JSON.stringify([...delta(await server.perWorker(proxy), mark)])}`);
}
