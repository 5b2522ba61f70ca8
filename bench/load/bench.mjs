// Side by side benchmark of `faultline load` against autocannon, wrk and hey, on loopback.
//
//   bash bench/load/run.sh [--seconds 10] [--rounds 3] [--only throughput|co] [--targets node,nginx] [--connections 10,50] [--no-pin]
//   (run.sh installs wrk, nginx-light and GNU time from Debian when missing, builds dist/, then runs this file)
//
// faultline runs as users run it: the built CLI (bin/faultline.js → dist/), once on one thread and
// once with --workers 2. The others: autocannon (devDependency), wrk -t1, hey (when installed).
//
// 1. Throughput, closed model, on two targets: a plain Node HTTP server (bench/load/server.mjs) and
//    nginx with one worker process (a target faster than any Node client). With 2+ cores the
//    target is pinned to core 0 and each tool to core 1 (taskset), so a tool gets one core of its
//    own — "faultline -w2" then shows what a second thread costs without a core for it, and
//    "faultline -w2, 2 cores" runs unpinned (both workers, sharing core 0 with the target).
//    Figures per tool: requests/s (median of the rounds, and its range), the ratios the issue
//    uses (vs autocannon, vs wrk -t1), latency, and CPU µs per request: the tool's user+system
//    time (GNU time: every thread of the process) over the requests it made; the target's CPU is
//    read from /proc (its whole process tree: nginx's master and worker).
// 2. Coordinated omission: the Node server stalling 200 ms once a second, load at a fixed
//    1000/s where the tool can (faultline --rate, autocannon -R, hey -q; wrk has no rate). True
//    latencies: p90 ~100 ms, p99 ~190 ms.
// Every run is bounded in time and sends to 127.0.0.1 only.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const seconds = Number(opt('--seconds', 10)) || 10;
const rounds = Number(opt('--rounds', 3)) || 3;
const only = opt('--only', undefined);
const targets = opt('--targets', 'node,nginx').split(',');
const connectionCounts = opt('--connections', '10,50').split(',').map(Number);
const pin = !args.includes('--no-pin') && cpus().length >= 2;
const TICK = 100; // clock ticks per second (getconf CLK_TCK)

const faultlineJs = join(root, 'bin/faultline.js');
const autocannonJs = join(root, 'node_modules/autocannon/autocannon.js');
const has = (bin) => {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const onToolCore = (argv) => (pin ? ['taskset', '-c', '1', ...argv] : argv);
const onTargetCore = (argv) => (pin ? ['taskset', '-c', '0', ...argv] : argv);

const faultlineParse = (out) => {
  const j = JSON.parse(out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1)); // --json prints one (indented) object
  return { requests: j.requests, rps: j.rps, p50: j.latencyMs.p50, p90: j.latencyMs.p90, p99: j.latencyMs.p99, max: j.latencyMs.max, note: j.model === 'open' ? `achieved ${j.achievedRate}/s, ${j.lateRequests} late` : '' };
};
const faultline = (workers, pinned) => ({
  closed: (url, c, s) => (pinned ? onToolCore : (a) => a)([process.execPath, faultlineJs, 'load', url, '-c', String(c), '-d', `${s}s`, '-w', String(workers), '--json', '--no-progress']),
  rate: (url, r, s) => (pinned ? onToolCore : (a) => a)([process.execPath, faultlineJs, 'load', url, '--rate', `${r}/s`, '-d', `${s}s`, '-w', String(workers), '--json', '--no-progress']),
  parse: faultlineParse,
});

/** What each Node tool costs to start (its modules loaded, nothing sent): subtracted for the "excl. start-up" column. */
const startupArgv = {
  faultline: [process.execPath, faultlineJs, 'load', '--help'],
  autocannon: [process.execPath, autocannonJs, '--version'],
};
const startupOf = (name) => startup[name.startsWith('faultline') ? 'faultline' : name] ?? 0;
const startup = {};

/** Each tool: argv for a closed run with c connections, for a fixed-rate run, and an output parser → { requests, rps, p50, p90, p99, max } (ms). */
const tools = {
  faultline: faultline(1, true),
  'faultline -w2': faultline(2, true),
  'faultline -w2, 2 cores': { ...faultline(2, false), available: pin, co: false },
  autocannon: {
    closed: (url, c, s) => onToolCore([process.execPath, autocannonJs, '--json', '-c', String(c), '-d', String(s), url]),
    rate: (url, r, s) => onToolCore([process.execPath, autocannonJs, '--json', '-c', '50', '-R', String(r), '-d', String(s), url]),
    parse: (out) => {
      const j = JSON.parse(out.trim().split('\n').at(-1));
      return { requests: j.requests.total, rps: j.requests.total / j.duration, p50: j.latency.p50, p90: j.latency.p90, p99: j.latency.p99, max: j.latency.max, note: 'ms resolution' };
    },
  },
  'wrk -t1': {
    available: has('wrk'),
    closed: (url, c, s) => onToolCore(['wrk', '-t1', `-c${c}`, `-d${s}s`, '--latency', url]),
    rate: (url, _r, s) => onToolCore(['wrk', '-t1', '-c50', `-d${s}s`, '--latency', url]),
    parse: (out) => {
      const pct = (p) => toMs(new RegExp(`^\\s*${p}%\\s+([\\d.]+\\w+)`, 'm').exec(out)?.[1]);
      const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
      return { requests, rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]), p50: pct(50), p90: pct(90), p99: pct(99), max: toMs(/Latency\s+\S+\s+\S+\s+(\S+)/.exec(out)?.[1]), note: '' };
    },
  },
  hey: {
    available: has('hey'),
    closed: (url, c, s) => onToolCore(['hey', '-c', String(c), '-z', `${s}s`, url]),
    rate: (url, r, s) => onToolCore(['hey', '-c', '50', '-q', String(r / 50), '-z', `${s}s`, url]),
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

/** utime + stime (seconds) of pid, its live descendants (nginx's worker) and its reaped children. */
function cpuOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    let cpu = (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICK;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of children ? children.split(' ') : []) cpu += cpuOf(Number(child));
    }
    return cpu;
  } catch {
    return NaN;
  }
}

function freePort() {
  return new Promise((resolvePort) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolvePort(port));
    });
  });
}

async function waitFor(url) {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`the target at ${url} did not come up`);
}

const work = mkdtempSync(join(tmpdir(), 'faultline-load-bench-'));

async function startTarget(kind) {
  if (kind === 'nginx') {
    const port = await freePort();
    const dir = join(work, 'nginx');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'nginx.conf'),
      `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 8192; }
http { access_log off; keepalive_requests 10000000;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  server { listen 127.0.0.1:${port} backlog=8192; location / { return 200 "hello world"; } } }
`,
    );
    const [file, ...rest] = onTargetCore(['nginx', '-c', join(dir, 'nginx.conf')]);
    const child = spawn(file, rest, { stdio: 'ignore' });
    const url = `http://127.0.0.1:${port}/`;
    await waitFor(url);
    return { name: 'nginx (1 worker process)', child, url };
  }
  const mode = kind === 'stall' ? 'stall' : 'plain';
  const [file, ...rest] = onTargetCore([process.execPath, join(here, 'server.mjs'), '0', mode]);
  const child = spawn(file, rest, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((r) => child.stdout.once('data', (d) => r(String(d).trim())));
  return { name: mode === 'stall' ? 'Node server stalling 200 ms a second' : 'plain Node server', child, url: `http://127.0.0.1:${port}/` };
}

/** Runs argv under GNU time; returns its output and its CPU seconds (user + system, every thread). */
function runTool(argv) {
  return new Promise((resolveRun) => {
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

async function measure(name, argv, target) {
  const before = cpuOf(target.child.pid);
  const r = await runTool(argv);
  const serverCpu = cpuOf(target.child.pid) - before;
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
async function medians(names, argvOf, target) {
  const runs = new Map(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    const order = names.map((_, i) => names[(i + r) % names.length]);
    for (const name of order) {
      const row = await measure(name, argvOf(name), target);
      if (row) runs.get(name).push({ ...row, cpuPerRequest: (row.cpu / row.requests) * 1e6, cpuPerRequestRun: ((row.cpu - startupOf(name)) / row.requests) * 1e6 });
    }
  }
  return names
    .filter((n) => runs.get(n).length > 0)
    .map((name) => {
      const rs = runs.get(name);
      const m = { tool: name, n: rs.length, note: rs.at(-1).note };
      for (const k of ['rps', 'requests', 'p50', 'p90', 'p99', 'max', 'cpu', 'cpuPerRequest', 'cpuPerRequestRun', 'serverCpu']) m[k] = median(rs.map((x) => x[k]));
      m.rpsRange = `${fmt(Math.min(...rs.map((x) => x.rps)), 0)}–${fmt(Math.max(...rs.map((x) => x.rps)), 0)}`;
      return m;
    });
}

// ---- run ----

for (const [bin, pkg] of [['/usr/bin/time', 'time'], ...(targets.includes('nginx') && only !== 'co' ? [['nginx', 'nginx-light']] : []), ...(pin ? [['taskset', 'util-linux']] : [])]) {
  if (!has(bin)) {
    console.error(`bench/load needs ${bin}: apt-get install -y ${pkg} (or run bench/load/run.sh)`);
    process.exit(2);
  }
}
try {
  readFileSync(join(root, 'dist/load/load-worker.js'));
} catch {
  console.error('bench/load runs the built CLI: npm run build first (or run bench/load/run.sh)');
  process.exit(2);
}

const available = Object.entries(tools).filter(([, t]) => t.available !== false).map(([n]) => n);
const missing = Object.keys(tools).filter((n) => !available.includes(n));
const cleanup = [];
process.on('exit', () => {
  for (const c of cleanup) c.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
});
console.log(`# faultline load benchmark — ${new Date().toISOString()}`);
console.log(
  `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${seconds}s per run, median of ${rounds} round${rounds === 1 ? '' : 's'}, ` +
    `${pin ? 'target pinned to core 0, tools to core 1 (taskset)' : 'nothing pinned'}, load average before: ${loadavg().map((n) => n.toFixed(2)).join(' ')}` +
    `${missing.length ? `; not installed, skipped: ${missing.join(', ')}` : ''}\n`,
);

for (const [name, argv] of Object.entries(startupArgv)) {
  const cpu = [];
  for (let i = 0; i < 3; i++) cpu.push((await runTool(onToolCore(argv))).cpu);
  startup[name] = median(cpu);
}
console.log(`Start-up CPU (modules loaded, nothing sent; median of 3): ${Object.entries(startup).map(([n, c]) => `${n} ${fmt(c, 2)} s`).join(', ')} — in "tool CPU s", left out of "excl. start-up" (wrk's is nil).\n`);

const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${fmt(a / b, 2)}x` : '–');
const goals = [];
if (only !== 'co') {
  for (const kind of targets) {
    const target = await startTarget(kind);
    cleanup.push(target.child);
    await runTool(available.includes('wrk -t1') ? tools['wrk -t1'].closed(target.url, 10, 2) : tools.autocannon.closed(target.url, 10, 2)); // warm up
    console.log(`## Throughput: ${target.name}, closed model\n`);
    console.log('| connections | tool | requests/s (median) | range | vs autocannon | vs wrk -t1 | p50 ms | p99 ms | tool CPU s | CPU µs/request | excl. start-up | CPU vs wrk -t1 (excl. start-up) | target CPU s |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const c of connectionCounts) {
      const rows = await medians(available, (name) => tools[name].closed(target.url, c, seconds), target);
      const ac = rows.find((r) => r.tool === 'autocannon');
      const wrk = rows.find((r) => r.tool === 'wrk -t1');
      for (const r of rows) {
        console.log(`| ${c} | ${r.tool} | ${fmt(r.rps, 0)} | ${r.rpsRange} | ${ratio(r.rps, ac?.rps)} | ${ratio(r.rps, wrk?.rps)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${fmt(r.cpu, 2)} | ${fmt(r.cpuPerRequest, 1)} | ${fmt(r.cpuPerRequestRun, 1)} | ${ratio(r.cpuPerRequestRun, wrk?.cpuPerRequestRun)} | ${fmt(r.serverCpu, 2)} |`);
      }
      const one = rows.find((r) => r.tool === 'faultline');
      const two = rows.find((r) => r.tool === (pin ? 'faultline -w2, 2 cores' : 'faultline -w2'));
      goals.push(`${kind}, c=${c}: one thread ${ratio(one?.rps, ac?.rps)} autocannon (goal >= 1.1x), CPU/request ${ratio(one?.cpuPerRequestRun, wrk?.cpuPerRequestRun)} wrk's excl. start-up (goal <= 1.2x); --workers 2 ${ratio(two?.rps, wrk?.rps)} wrk -t1 (goal >= 1.0x on the fast target)`);
    }
    target.child.kill('SIGTERM');
    console.log('');
  }
  console.log('## Against the goals (issue 19)\n');
  for (const g of goals) console.log(`- ${g}`);
  console.log('');
}

if (only !== 'throughput') {
  const target = await startTarget('stall');
  cleanup.push(target.child);
  const rate = 1000;
  console.log(`## Coordinated omission: server stalls 200 ms every second; ${rate} requests/s\n`);
  console.log('True latency at a fixed rate: p90 ~100 ms, p99 ~190 ms (a fifth of the requests arrive in a stall and wait for its end).\n');
  console.log('| tool | how | requests/s | p50 ms | p90 ms | p99 ms | max ms | p90 error | p99 error | note |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  const names = available.filter((n) => tools[n].co !== false);
  const rows = await medians(names, (name) => tools[name].rate(target.url, rate, seconds), target);
  for (const r of rows) {
    const how = { faultline: `--rate ${rate}/s`, 'faultline -w2': `--rate ${rate}/s --workers 2`, autocannon: `-c 50 -R ${rate}`, 'wrk -t1': '-c 50 (no rate option)', hey: `-c 50 -q ${rate / 50}` }[r.tool];
    console.log(`| ${r.tool} | ${how} | ${fmt(r.rps, 0)} | ${fmt(r.p50, 2)} | ${fmt(r.p90, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.max, 1)} | ${fmt(((r.p90 - 100) / 100) * 100, 0)}% | ${fmt(((r.p99 - 190) / 190) * 100, 0)}% | ${r.note} |`);
  }
  target.child.kill('SIGTERM');
}
console.log(`\nload average after: ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
