// Side-by-side benchmark of `faultline load` against autocannon, wrk and hey, on loopback.
//
//   npm run build is NOT needed: faultline's generator is bundled from src with esbuild first.
//   apt-get install -y time wrk hey (GNU time measures each tool's CPU; a missing wrk or hey is skipped, and said so)
//   node bench/load/bench.mjs [--seconds 10] [--rounds 3] [--only throughput|co]
//
// 1. Throughput: one plain Node HTTP server (bench/load/server.mjs); each tool in turn for N
//    seconds at 10 and 50 connections; requests/s, latency, and the CPU time each tool and the
//    server used (GNU time for the tool, /proc for the server). Each configuration runs --rounds
//    times, the tools in a different order each round; the tables show the median of each figure
//    (on a shared 2-core machine single runs swing by ±30%).
// 2. Coordinated omission: the same server stalling 200 ms once a second, load at a fixed
//    1000/s where the tool can (faultline --rate, autocannon -R, hey -q; wrk has no rate). True
//    latencies: p90 ~100 ms, p99 ~190 ms.
// Every run is bounded in time and sends to 127.0.0.1 only.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf('--seconds') + 1] || 10) || 10;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const rounds = Number(args[args.indexOf('--rounds') + 1] || 3) || 3;
const TICK = 100; // clock ticks per second (getconf CLK_TCK)

// ---- tools ----

const work = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
const faultlineJs = join(work, 'faultline-load.mjs');
execFileSync(join(root, 'node_modules/.bin/esbuild'), [join(here, 'faultline-load.ts'), '--bundle', '--platform=node', '--format=esm', '--target=node20', `--outfile=${faultlineJs}`, '--log-level=warning', '--banner:js=import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);'], { stdio: 'inherit' });
const autocannonJs = join(root, 'node_modules/autocannon/autocannon.js');
const has = (bin) => {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Each tool: argv for a closed run with c connections, for a fixed-rate run, and an output parser → { requests, rps, p50, p90, p99, max } (ms). */
const tools = {
  faultline: {
    closed: (url, c, s) => [process.execPath, faultlineJs, url, '-c', String(c), String(s)],
    rate: (url, r, s) => [process.execPath, faultlineJs, url, '--rate', String(r), String(s)],
    parse: (out) => {
      const j = JSON.parse(out.trim().split('\n').at(-1));
      return { requests: j.requests, rps: j.rps, p50: j.latencyMs.p50, p90: j.latencyMs.p90, p99: j.latencyMs.p99, max: j.latencyMs.max, note: j.model === 'open' ? `achieved ${j.achievedRate}/s, ${j.lateRequests} late` : '' };
    },
  },
  autocannon: {
    closed: (url, c, s) => [process.execPath, autocannonJs, '--json', '-c', String(c), '-d', String(s), url],
    rate: (url, r, s) => [process.execPath, autocannonJs, '--json', '-c', '50', '-R', String(r), '-d', String(s), url],
    parse: (out) => {
      const j = JSON.parse(out.trim().split('\n').at(-1));
      return { requests: j.requests.total, rps: j.requests.total / j.duration, p50: j.latency.p50, p90: j.latency.p90, p99: j.latency.p99, max: j.latency.max, note: 'ms resolution' };
    },
  },
  'wrk -t1': {
    available: has('wrk'),
    closed: (url, c, s) => ['wrk', '-t1', `-c${c}`, `-d${s}s`, '--latency', url],
    rate: (url, _r, s) => ['wrk', '-t1', '-c50', `-d${s}s`, '--latency', url],
    parse: (out) => {
      const pct = (p) => toMs(new RegExp(`^\\s*${p}%\\s+([\\d.]+\\w+)`, 'm').exec(out)?.[1]);
      const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
      return { requests, rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]), p50: pct(50), p90: pct(90), p99: pct(99), max: toMs(/Latency\s+\S+\s+\S+\s+(\S+)/.exec(out)?.[1]), note: '' };
    },
  },
  hey: {
    available: has('hey'),
    closed: (url, c, s) => ['hey', '-c', String(c), '-z', `${s}s`, url],
    rate: (url, r, s) => ['hey', '-c', '50', '-q', String(r / 50), '-z', `${s}s`, url],
    parse: (out) => {
      const pct = (p) => Number(new RegExp(`${p}%% in ([\\d.]+) secs`.replace('%%', '%')).exec(out)?.[1]) * 1000;
      const total = Number(/\[200\]\s+(\d+) responses/.exec(out)?.[1]);
      return { requests: total, rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]), p50: pct(50), p90: pct(90), p99: pct(99), max: Number(/Slowest:\s+([\d.]+) secs/.exec(out)?.[1]) * 1000, note: '' };
    },
  },
};

function toMs(text) {
  if (!text) return NaN;
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) return NaN;
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2]];
}

// ---- processes and their CPU time ----

/** utime + stime of pid and its reaped children, in seconds. */
function cpuOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICK;
  } catch {
    return NaN;
  }
}

function startServer(mode) {
  const child = spawn(process.execPath, [join(here, 'server.mjs'), '0', mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolvePort) => child.stdout.once('data', (d) => resolvePort({ child, url: `http://127.0.0.1:${String(d).trim()}/` })));
}

/** Runs argv; returns its output and CPU seconds (sampled from /proc just before it exits, via a wrapper that reports its own rusage). */
function runTool(argv) {
  return new Promise((resolveRun) => {
    // GNU time reports the tool's own user+system seconds, children included.
    const child = spawn('/usr/bin/time', ['-f', '__CPU__ %U %S', ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
    child.on('close', (code) => {
      clearTimeout(killer);
      const m = /__CPU__ ([\d.]+) ([\d.]+)/.exec(err);
      resolveRun({ code, out: out + err.replace(/__CPU__.*\n?/, ''), cpu: m ? Number(m[1]) + Number(m[2]) : NaN });
    });
  });
}

async function measure(name, argv, server) {
  const before = cpuOf(server.child.pid);
  const r = await runTool(argv);
  const serverCpu = cpuOf(server.child.pid) - before;
  let figures;
  try {
    figures = tools[name].parse(r.out);
  } catch (e) {
    process.stderr.write(`${name} output not understood (${e.message}):\n${r.out.slice(-2000)}\n`);
    return undefined;
  }
  return { tool: name, ...figures, cpu: r.cpu, serverCpu };
}

const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '–');
const median = (values) => {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  return v.length === 0 ? NaN : v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
/** Runs every tool `rounds` times (rotating the order) and returns, per tool, the median of each figure. */
async function medians(names, argvOf, server) {
  const runs = new Map(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    const order = names.map((_, i) => names[(i + r) % names.length]);
    for (const name of order) {
      const row = await measure(name, argvOf(name), server);
      if (row) runs.get(name).push({ ...row, cpuPerRequest: (row.cpu / row.requests) * 1e6 });
    }
  }
  return names
    .filter((n) => runs.get(n).length > 0)
    .map((name) => {
      const rs = runs.get(name);
      const m = { tool: name, n: rs.length, note: rs.at(-1).note };
      for (const k of ['rps', 'requests', 'p50', 'p90', 'p99', 'max', 'cpu', 'cpuPerRequest', 'serverCpu']) m[k] = median(rs.map((x) => x[k]));
      m.rpsRange = `${fmt(Math.min(...rs.map((x) => x.rps)), 0)}–${fmt(Math.max(...rs.map((x) => x.rps)), 0)}`;
      return m;
    });
}

// ---- run ----

if (!has('/usr/bin/time')) {
  console.error('bench/load needs GNU time to measure CPU: apt-get install -y time');
  process.exit(2);
}

const available = Object.entries(tools).filter(([, t]) => t.available !== false).map(([n]) => n);
const missing = Object.keys(tools).filter((n) => !available.includes(n));
console.log(`# faultline load benchmark — ${new Date().toISOString()}`);
console.log(`${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${seconds}s per run, median of ${rounds} rounds, load average before: ${loadavg().map((n) => n.toFixed(2)).join(' ')}${missing.length ? `; not installed, skipped: ${missing.join(', ')}` : ''}\n`);

if (only !== 'co') {
  const server = await startServer('plain');
  await runTool(available.includes('wrk -t1') ? tools['wrk -t1'].closed(server.url, 10, 2) : tools.autocannon.closed(server.url, 10, 2)); // warm the server up
  console.log('## Throughput: plain Node server, closed model\n');
  console.log('| connections | tool | requests/s (median) | range | vs autocannon | vs wrk -t1 | p50 ms | p99 ms | tool CPU s | CPU µs/request | server CPU s |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const c of [10, 50]) {
    const rows = await medians(available, (name) => tools[name].closed(server.url, c, seconds), server);
    const ac = rows.find((r) => r.tool === 'autocannon')?.rps;
    const wrk = rows.find((r) => r.tool === 'wrk -t1')?.rps;
    for (const r of rows) {
      console.log(`| ${c} | ${r.tool} | ${fmt(r.rps, 0)} | ${r.rpsRange} | ${fmt(r.rps / ac, 2)}x | ${fmt(r.rps / wrk, 2)}x | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${fmt(r.cpu, 2)} | ${fmt(r.cpuPerRequest, 1)} | ${fmt(r.serverCpu, 2)} |`);
    }
  }
  server.child.kill('SIGTERM');
  console.log('');
}

if (only !== 'throughput') {
  const server = await startServer('stall');
  const rate = 1000;
  console.log(`## Coordinated omission: server stalls 200 ms every second; ${rate} requests/s\n`);
  console.log('True latency at a fixed rate: p90 ~100 ms, p99 ~190 ms (a fifth of the requests arrive in a stall and wait for its end).\n');
  console.log('| tool | how | requests/s | p50 ms | p90 ms | p99 ms | max ms | p90 error | p99 error | note |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  const rows = await medians(available, (name) => tools[name].rate(server.url, rate, seconds), server);
  for (const r of rows) {
    const how = { faultline: `--rate ${rate}/s`, autocannon: `-c 50 -R ${rate}`, 'wrk -t1': '-c 50 (no rate option)', hey: `-c 50 -q ${rate / 50}` }[r.tool];
    console.log(`| ${r.tool} | ${how} | ${fmt(r.rps, 0)} | ${fmt(r.p50, 2)} | ${fmt(r.p90, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.max, 1)} | ${fmt(((r.p90 - 100) / 100) * 100, 0)}% | ${fmt(((r.p99 - 190) / 190) * 100, 0)}% | ${r.note} |`);
  }
  server.child.kill('SIGTERM');
}

rmSync(work, { recursive: true, force: true });
