/**
 * Memory under connection churn: faultline's proxy (bench/proxy/faultline-proxy.ts, one thread or
 * --workers N) in front of an echo server, with `parallel` clients opening a connection, echoing
 * 64 bytes and closing it (every 10th torn down with RST instead), as fast as they can, for
 * `minutes`. Prints the proxy's RSS (all its processes, from /proc) every `every` seconds; a
 * flat column is the point.
 *
 *   node --import tsx bench/proxy/churn.ts [--minutes 3] [--workers 1] [--parallel 32] [--every 15]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i > 0 ? process.argv[i + 1]! : fallback);
};
const MINUTES = arg('minutes', '3');
const WORKERS = arg('workers', '1');
const PARALLEL = arg('parallel', '32');
const EVERY = arg('every', '15');

const echo = createServer((s) => {
  s.on('error', () => undefined);
  s.pipe(s);
});
await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as AddressInfo).port;
    s.close(() => resolve(p));
  });
});
const entry = fileURLToPath(new URL('./faultline-proxy.ts', import.meta.url));
const bundle = process.env.FAULTLINE_BENCH_PROXY;
const proxy = spawn(process.execPath, bundle ? [bundle, String(port), String((echo.address() as AddressInfo).port)] : ['--import', 'tsx', entry, String(port), String((echo.address() as AddressInfo).port)], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, FAULTLINE_BENCH_WORKERS: String(WORKERS) },
});
await new Promise<void>((resolve) => proxy.stdout!.once('data', () => resolve()));

/** RSS in MiB of a process and its descendants. */
function rssMiB(pid: number): number {
  let kb = 0;
  try {
    kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) kb += rssMiB(Number(child)) * 1024;
  } catch {
    // gone
  }
  return kb / 1024;
}

let done = 0;
let failed = 0;
let stop = false;
async function client(): Promise<void> {
  while (!stop) {
    const n = done + failed;
    await new Promise<void>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.setNoDelay(true);
      let got = 0;
      s.on('error', () => (failed++, resolve()));
      s.on('connect', () => s.write(Buffer.alloc(64, n % 256)));
      s.on('data', (d: Buffer) => {
        got += d.length;
        if (got < 64) return;
        if (n % 10 === 0) s.resetAndDestroy();
        else s.end();
        done++;
        resolve();
      });
    });
  }
}

const t0 = performance.now();
const rows = [`| time | connections | conn/s since last | RSS MiB (all processes) |`, `|---|---|---|---|`];
const sample = (lastDone: number, lastT: number) => {
  const t = (performance.now() - t0) / 1000;
  rows.push(`| ${t.toFixed(0)} s | ${done} | ${((done - lastDone) / Math.max(t - lastT, 0.001)).toFixed(0)} | ${rssMiB(proxy.pid!).toFixed(1)} |`);
  process.stderr.write(`${rows.at(-1)}\n`);
  return [done, t] as const;
};
let last = sample(0, 0);
const clients = Array.from({ length: PARALLEL }, () => client());
while ((performance.now() - t0) / 1000 < MINUTES * 60) {
  await sleep(EVERY * 1000);
  last = sample(...last);
}
stop = true;
await Promise.all(clients);
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
process.stdout.write(`\nconnection churn, ${MINUTES} min, ${PARALLEL} clients, --workers ${WORKERS}, ${failed} failed connections, load average at end ${load}\n\n${rows.join('\n')}\n`);
proxy.kill('SIGTERM');
echo.close();
await new Promise((r) => proxy.once('exit', r));
process.exit(0);
