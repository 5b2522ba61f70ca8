/**
 * Scaling across cores, as far as this machine allows (issue 19): nginx and wrk pinned to core 0,
 * the proxy on core 1 alone or on both cores, with one and two workers; haproxy with nbthread 1
 * and 2 placed the same way, as the reference for what a second core can give. Needs 2+ cores.
 *
 *   bash bench/proxy/run.sh --scaling [--seconds 3] [--rounds 3]
 *
 * Three workloads: small keep-alive requests and new connections (wrk -c32), where nginx and wrk
 * on core 0 are the limit, and bulk downloads over 8 connections, where the proxy comes closest to
 * the limit of its own core (~70% of it for one faultline thread, December 2026). With 2
 * cores the proxy's second core is the one nginx and wrk use, so "both cores" shows what a proxy
 * gains from a core that is not free; "core 1, 2 workers" shows what splitting costs. The busiest
 * worker's share of the proxy's CPU shows how evenly connections were spread. Last, p50 and p99
 * with a CPU hog on every core: one thread against haproxy nbthread 2 and two workers.
 */
import { availableParallelism } from 'node:os';
import { arg, cpuMs, faultlineProxy, fmt, freePort, loadAverage, median, ownCpuMs, pin, processTree, rate, requests, start, startHaproxy, startNginx, stopAll, toMB, toMicros, waitPort, wrk } from './lib.js';

const SECONDS = Number(arg('seconds', '3'));
const ROUNDS = Number(arg('rounds', '3'));
if (availableParallelism() < 2) {
  process.stderr.write('the scaling benchmark needs at least 2 cores\n');
  process.exit(2);
}
const LOAD_CORE = '0'; // nginx and wrk
const PROXY_CORE = '1';
const BOTH = '0,1';

interface Subject {
  name: string;
  cores: string;
  port: number;
  pid: number;
  /** The processes that serve connections (the workers; the process itself for one). */
  servers: () => number[];
}

process.stdout.write(`load average at start: ${loadAverage()}\n`);
const nginxPort = await freePort();
const nginx = startNginx(nginxPort);
await waitPort(nginxPort);
await pin(nginx.pid!, LOAD_CORE);

const subjects: Subject[] = [];
async function add(name: string, cores: string, startOne: (port: number) => { pid?: number }, workers: number): Promise<void> {
  const port = await freePort();
  const pid = startOne(port).pid!;
  await waitPort(port);
  // Worker processes start before the listener answers; pin them all, every thread.
  await pin(pid, cores);
  const servers = () => (workers > 1 ? processTree(pid).slice(1) : [pid]);
  if (servers().length !== workers) throw new Error(`${name}: expected ${workers} serving processes, found ${servers().length}`);
  subjects.push({ name, cores, port, pid, servers });
}
await add('haproxy, nbthread 1', PROXY_CORE, (p) => startHaproxy(p, nginxPort, 1), 1);
await add('haproxy, nbthread 2', BOTH, (p) => startHaproxy(p, nginxPort, 2), 1);
await add('faultline, 1 worker', PROXY_CORE, (p) => faultlineProxy([String(p), String(nginxPort)]), 1);
await add('faultline, --workers 2', PROXY_CORE, (p) => faultlineProxy([String(p), String(nginxPort)], { FAULTLINE_BENCH_WORKERS: '2' }), 2);
await add('faultline, --workers 2', BOTH, (p) => faultlineProxy([String(p), String(nginxPort)], { FAULTLINE_BENCH_WORKERS: '2' }), 2);

type Figures = { rate: number; cpuPerUnit: number; busiest: number };
/** One wrk run through a subject: its rate (requests/s, or MB/s for bulk), the proxy's CPU µs per request (per MB) and the busiest worker's share of it. */
async function measure(s: Subject, workload: Workload): Promise<Figures> {
  const servers = s.servers();
  const before = servers.map(ownCpuMs);
  const total = cpuMs(s.pid);
  const out = await wrk(SECONDS, [...workload.args, `http://127.0.0.1:${s.port}${workload.path}`], LOAD_CORE);
  const used = servers.map((p, i) => ownCpuMs(p) - before[i]!);
  const sum = used.reduce((a, b) => a + b, 0);
  const mbps = toMB(/Transfer\/sec:\s+(\S+)/.exec(out)![1]!);
  const units = workload.path === '/big' ? mbps * SECONDS : requests(out);
  return { rate: workload.path === '/big' ? mbps : rate(out), cpuPerUnit: ((cpuMs(s.pid) - total) * 1000) / units, busiest: sum > 0 ? Math.max(...used) / sum : 1 };
}

interface Workload {
  args: string[];
  path: '/small' | '/big';
}
// Small requests and new connections cost nginx and wrk about what they cost the proxy, so core 0
// is the limit there; bulk costs nginx little (sendfile), so there the proxy comes closest to
// the limit of its own core.
const workloads = {
  small: { args: ['-c32'], path: '/small' },
  conns: { args: ['-c32', '-H', 'Connection: close'], path: '/small' },
  bulk: { args: ['-c8'], path: '/big' },
} satisfies Record<string, Workload>;
type Name = keyof typeof workloads;
const results = new Map<Subject, Record<Name, Figures[]>>(subjects.map((s) => [s, { small: [], conns: [], bulk: [] }]));
for (let round = 1; round <= ROUNDS; round++) {
  for (const [workload, w] of Object.entries(workloads) as [Name, Workload][]) {
    for (const s of subjects) {
      const f = await measure(s, w);
      results.get(s)![workload].push(f);
      process.stderr.write(`round ${round} ${workload} ${s.name} on core(s) ${s.cores}: ${JSON.stringify(f)}\n`);
    }
  }
}

const med = (s: Subject, w: Name, k: keyof Figures) => median(results.get(s)![w].map((f) => f[k]));
const base = subjects.find((s) => s.name === 'faultline, 1 worker')!;
const columns: [Name, string, string][] = [
  ['small', 'small req/s', 'CPU µs/request'],
  ['conns', 'new conn/s', 'CPU µs/connection'],
  ['bulk', 'bulk MB/s (8 connections)', 'CPU µs/MB'],
];
const lines = [
  `| subject | cores | ${columns.map(([, rateName, cpuName]) => `${rateName} (x faultline 1 worker) | ${cpuName} | busiest worker's share`).join(' | ')} |`,
  `|---|---|${columns.map(() => '---|---|---|').join('')}`,
];
for (const s of subjects) {
  const share = (w: Name) => (s.servers().length > 1 ? `${fmt(med(s, w, 'busiest') * 100)}%` : '–');
  const cells = columns.map(([w]) => `${fmt(med(s, w, 'rate'))} (${fmt(med(s, w, 'rate') / med(base, w, 'rate'), 2)}) | ${fmt(med(s, w, 'cpuPerUnit'), 1)} | ${share(w)}`);
  lines.push(`| ${s.name} | ${s.cores} | ${cells.join(' | ')} |`);
}
process.stdout.write(
  `\nScaling: nginx (1 worker) and wrk -t1 pinned to core ${LOAD_CORE}; each proxy pinned as shown; ${SECONDS} s per measurement, median of ${ROUNDS} interleaved rounds; subject: ${process.env.FAULTLINE_BENCH_PROXY ? 'bundled JS' : 'tsx'}\n\n${lines.join('\n')}\n`,
);

// ---- p99 on a busy machine: one CPU hog per core (as other work would be), the same pinning.
// One thread stalls every connection when a hog takes its core; a multi-threaded proxy (haproxy
// nbthread 2) or workers on both cores stall only the share on that core.
const busySubjects = subjects.filter((s) => s.cores === BOTH || s.name === 'faultline, 1 worker' || s.name === 'haproxy, nbthread 1');
const hogs = Array.from({ length: availableParallelism() }, () => start(process.execPath, ['-e', 'for (;;) {}']));
const tail = new Map<Subject, Record<string, { p50: number[]; p99: number[] }>>(busySubjects.map((s) => [s, {}]));
const tailLoads: [string, string[]][] = [
  ['1 connection', ['-c1']],
  ['16 connections', ['-c16']],
];
for (let round = 1; round <= ROUNDS; round++) {
  for (const [label, args] of tailLoads) {
    for (const s of busySubjects) {
      const out = await wrk(SECONDS, [...args, '--latency', `http://127.0.0.1:${s.port}/small`], LOAD_CORE);
      const p50 = toMicros(/ 50%\s+(\S+)/.exec(out)![1]!);
      const p99 = toMicros(/ 99%\s+(\S+)/.exec(out)![1]!);
      const row = (tail.get(s)![label] ??= { p50: [], p99: [] });
      row.p50.push(p50);
      row.p99.push(p99);
      process.stderr.write(`round ${round} busy ${label} ${s.name} on core(s) ${s.cores}: p50 ${p50} µs, p99 ${p99} µs\n`);
    }
  }
}
for (const h of hogs) h.kill('SIGKILL');
const tailLines = [
  `| subject | cores | ${tailLoads.map(([label]) => `${label}: p50 µs | p99 µs`).join(' | ')} |`,
  `|---|---|${tailLoads.map(() => '---|---|').join('')}`,
  ...busySubjects.map((s) => `| ${s.name} | ${s.cores} | ${tailLoads.map(([label]) => `${fmt(median(tail.get(s)![label]!.p50))} | ${fmt(median(tail.get(s)![label]!.p99))}`).join(' | ')} |`),
];
process.stdout.write(
  `\np99 on a busy machine: ${hogs.length} CPU hogs (one per core, unpinned) beside the same pinning; wrk -t1 --latency, keep-alive small requests; median of ${ROUNDS} interleaved rounds\n\n${tailLines.join('\n')}\n\nload average at end: ${loadAverage()}\n`,
);
await stopAll();
process.exit(0);
