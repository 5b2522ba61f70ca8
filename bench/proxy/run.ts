/**
 * The proxy benchmark (see bench/RESULTS.md). Side by side against one nginx on loopback:
 * direct, haproxy (TCP mode, nbthread 1), a bare Node pipe, faultline's proxy with no toxic, with
 * a 0 ms latency toxic, on its `net` fallback and with --workers 2, and toxiproxy-server when one
 * is on PATH. Rounds are interleaved and the median is kept, because this machine is shared. Then
 * redis-benchmark -P16 (direct, haproxy, faultline, toxiproxy) against one redis-server, the
 * ratios issue 19 sets goals for, and accuracy: a 100 ms latency toxic and bandwidth toxics.
 *
 *   bash bench/proxy/run.sh [--seconds 3] [--rounds 3] [--json out.json] [--only-redis]
 *   (bash bench/proxy/run.sh --scaling … runs scaling.ts instead: the proxy on one core vs two)
 */
import { writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import {
  HERE,
  arg,
  cpuMs,
  faultlineProxy,
  fmt,
  freePort,
  loadAverage,
  median,
  rate,
  requests,
  run,
  start,
  startHaproxy,
  startNginx,
  stopAll,
  toMB,
  toMicros,
  waitPort,
  wrk as wrkFor,
} from './lib.js';

const SECONDS = Number(arg('seconds', '3'));
const ROUNDS = Number(arg('rounds', '3'));
const JSON_OUT = arg('json', '');
const ONLY_REDIS = process.argv.includes('--only-redis');
const TOXIPROXY = await run('sh', ['-c', 'command -v toxiproxy-server']).then(
  ({ stdout }) => stdout.trim(),
  () => '',
);

// ------------------------------------------------------------------ subjects
interface Subject {
  name: string;
  port: number;
  pid: number | undefined;
}

/** toxiproxy-server (when on PATH), and a proxy made through its API. */
let toxiproxyApi: number | undefined;
let toxiproxyPid: number | undefined;
async function toxiproxyTo(upstream: number): Promise<{ port: number; pid: number | undefined }> {
  if (toxiproxyApi === undefined) {
    toxiproxyApi = await freePort();
    toxiproxyPid = start(TOXIPROXY, ['-host', '127.0.0.1', '-port', String(toxiproxyApi)]).pid;
    await waitPort(toxiproxyApi);
  }
  const port = await freePort();
  const res = await fetch(`http://127.0.0.1:${toxiproxyApi}/proxies`, {
    method: 'POST',
    body: JSON.stringify({ name: `bench${port}`, listen: `127.0.0.1:${port}`, upstream: `127.0.0.1:${upstream}` }),
  });
  if (res.status !== 201) throw new Error(`toxiproxy: POST /proxies answered ${res.status}: ${await res.text()}`);
  return { port, pid: toxiproxyPid };
}

async function startSubjects(): Promise<{ subjects: Subject[]; nginx: number }> {
  const nginx = await freePort();
  const nginxProcess = startNginx(nginx);
  const haproxy = await freePort();
  const haproxyProcess = startHaproxy(haproxy, nginx);
  const bare = await freePort();
  const bareProcess = start(process.execPath, [join(HERE, 'bare-pipe.mjs'), String(bare), String(nginx)]);
  const faultline = await freePort();
  const latency0 = await freePort();
  const net = await freePort();
  const workers = await freePort();
  const subjects: Subject[] = [
    { name: 'direct', port: nginx, pid: nginxProcess.pid },
    { name: 'haproxy', port: haproxy, pid: haproxyProcess.pid },
    { name: 'bare Node pipe', port: bare, pid: bareProcess.pid },
    { name: 'faultline, no toxic', port: faultline, pid: faultlineProxy([String(faultline), String(nginx)]).pid },
    { name: 'faultline, 0 ms latency toxic', port: latency0, pid: faultlineProxy([String(latency0), String(nginx), JSON.stringify({ type: 'latency', attributes: { latency: 0 } })]).pid },
    { name: 'faultline, net fallback, no toxic', port: net, pid: faultlineProxy([String(net), String(nginx)], { FAULTLINE_PROXY_TRANSPORT: 'net' }).pid },
    { name: 'faultline, --workers 2, no toxic', port: workers, pid: faultlineProxy([String(workers), String(nginx)], { FAULTLINE_BENCH_WORKERS: '2' }).pid },
  ];
  if (TOXIPROXY) subjects.push({ name: 'toxiproxy', ...(await toxiproxyTo(nginx)) });
  for (const s of subjects) await waitPort(s.port);
  return { subjects, nginx };
}

// ------------------------------------------------------------------ wrk
const wrk = (args: string[]): Promise<string> => wrkFor(SECONDS, args);

/** Each returns its figures, plus the subject's CPU µs per request (or per MB for bulk): robust when the machine is shared. */
const metrics = {
  latency: async (s: Subject) => {
    const out = await wrk(['-c1', '--latency', `http://127.0.0.1:${s.port}/small`]);
    return { p50: toMicros(/ 50%\s+(\S+)/.exec(out)![1]!), p99: toMicros(/ 99%\s+(\S+)/.exec(out)![1]!) };
  },
  rps: async (s: Subject) => {
    const before = cpuMs(s.pid);
    const out = await wrk(['-c32', `http://127.0.0.1:${s.port}/small`]);
    return { rps: rate(out), rpsCpu: ((cpuMs(s.pid) - before) * 1000) / requests(out) };
  },
  bulk: async (s: Subject) => {
    const before = cpuMs(s.pid);
    const mbps = toMB(/Transfer\/sec:\s+(\S+)/.exec(await wrk(['-c1', `http://127.0.0.1:${s.port}/big`]))![1]!);
    return { mbps, mbCpu: ((cpuMs(s.pid) - before) * 1000) / (mbps * SECONDS) };
  },
  conns: async (s: Subject) => {
    const before = cpuMs(s.pid);
    const out = await wrk(['-c32', '-H', 'Connection: close', `http://127.0.0.1:${s.port}/small`]);
    return { cps: rate(out), connCpu: ((cpuMs(s.pid) - before) * 1000) / requests(out) };
  },
};

// ------------------------------------------------------------------ accuracy
function onceData(s: Socket): Promise<void> {
  return new Promise((resolve) => s.once('data', () => resolve()));
}

/** Median round trip of a small keep-alive request (µs). */
async function medianRtt(port: number, samples: number): Promise<number> {
  const s = connect(port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  s.setNoDelay(true);
  const times: number[] = [];
  for (let i = 0; i < samples + 3; i++) {
    const t = performance.now();
    const got = onceData(s);
    s.write('GET /small HTTP/1.1\r\nHost: x\r\n\r\n');
    await got;
    if (i >= 3) times.push((performance.now() - t) * 1000);
  }
  s.destroy();
  return median(times);
}

async function latencyAccuracy(nginx: number): Promise<{ direct: number; proxied: number; added: number }> {
  const port = await freePort();
  faultlineProxy([String(port), String(nginx), JSON.stringify({ type: 'latency', attributes: { latency: 100 } })]);
  await waitPort(port);
  const direct = await medianRtt(nginx, 50);
  const proxied = await medianRtt(port, 50);
  return { direct, proxied, added: (proxied - direct) / 1000 };
}

async function bandwidthAccuracy(rateKB: number, bytes: number): Promise<{ rateKB: number; measuredKB: number; error: number }> {
  const source = createServer((s) => {
    s.on('error', () => undefined);
    s.end(Buffer.alloc(bytes, 1));
  });
  await new Promise<void>((r) => source.listen(0, '127.0.0.1', r));
  const port = await freePort();
  faultlineProxy([String(port), String((source.address() as AddressInfo).port), JSON.stringify({ type: 'bandwidth', attributes: { rate: rateKB } })]);
  await waitPort(port);
  const s = connect(port, '127.0.0.1');
  let first = 0;
  let got = 0;
  await new Promise<void>((resolve) => {
    s.on('data', (d: Buffer) => {
      if (first === 0) first = performance.now();
      got += d.length;
    });
    s.on('end', () => resolve());
  });
  const seconds = (performance.now() - first) / 1000;
  source.close();
  const measuredKB = got / 1000 / seconds;
  return { rateKB, measuredKB, error: measuredKB / rateKB - 1 };
}

// ------------------------------------------------------------------ redis-benchmark -P16
/** redis-benchmark's SET and GET rps with 16 commands pipelined per request (20 clients). */
async function redisRps(port: number): Promise<{ set: number; get: number }> {
  const n = String(Math.max(50_000, Math.round(SECONDS * 150_000)));
  const { stdout } = await run('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '-c', '20', '-P', '16', '-t', 'set,get', '-n', n, '-q', '--csv']);
  const rps = (test: string) => Number(new RegExp(`^"${test}","([\\d.]+)"`, 'm').exec(stdout)?.[1]);
  return { set: rps('SET'), get: rps('GET') };
}

async function redisBench(): Promise<Map<string, { set: number[]; get: number[] }>> {
  const redis = await freePort();
  start('redis-server', ['--port', String(redis), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  await waitPort(redis);
  const haproxy = await freePort();
  startHaproxy(haproxy, redis);
  const faultline = await freePort();
  faultlineProxy([String(faultline), String(redis)]);
  const workers = await freePort();
  faultlineProxy([String(workers), String(redis)], { FAULTLINE_BENCH_WORKERS: '2' });
  const targets: [string, number][] = [
    ['direct', redis],
    ['haproxy', haproxy],
    ['faultline, no toxic', faultline],
    ['faultline, --workers 2, no toxic', workers],
  ];
  if (TOXIPROXY) targets.push(['toxiproxy', (await toxiproxyTo(redis)).port]);
  for (const [, port] of targets) await waitPort(port);
  const out = new Map(targets.map(([name]) => [name, { set: [] as number[], get: [] as number[] }]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, port] of targets) {
      const r = await redisRps(port);
      out.get(name)!.set.push(r.set);
      out.get(name)!.get.push(r.get);
      process.stderr.write(`round ${round} redis -P16 ${name}: ${JSON.stringify(r)}\n`);
    }
  }
  return out;
}

// ------------------------------------------------------------------ main
const load = loadAverage;
process.stdout.write(`load average at start: ${load()}\n`);
if (ONLY_REDIS) {
  printRedis(await redisBench());
  await stopAll();
  process.exit(0);
}
const { subjects, nginx } = await startSubjects();
type Row = Record<string, number[]>;
const results = new Map<string, Row>(subjects.map((s) => [s.name, {}]));
for (let round = 1; round <= ROUNDS; round++) {
  for (const [metric, measure] of Object.entries(metrics)) {
    for (const s of subjects) {
      const values = await measure(s);
      const row = results.get(s.name)!;
      for (const [k, v] of Object.entries(values)) (row[k] ??= []).push(v);
      process.stderr.write(`round ${round} ${metric} ${s.name}: ${JSON.stringify(values)}\n`);
    }
  }
}

const med = (name: string, key: string) => median(results.get(name)![key]!);
const d = (k: string) => med('direct', k);
const h = (k: string) => med('haproxy', k);
const x = (v: number, base: number) => fmt(v / base, 2);
const signed = (v: number) => `${v >= 0 ? '+' : ''}${fmt(v)}`;
const lines = [
  `| subject | p50 µs (added) | p99 µs (added) | small req/s (x direct, x haproxy) | bulk MB/s (x haproxy) | new conn/s (x direct, x haproxy) |`,
  `|---|---|---|---|---|---|`,
];
const cpuLines = [`| subject | CPU µs per small request (x haproxy) | CPU µs per bulk MB (x haproxy) | CPU µs per new connection (x haproxy) |`, `|---|---|---|---|`];
for (const s of subjects) {
  const n = s.name;
  const direct = n === 'direct';
  lines.push(
    `| ${n} | ${fmt(med(n, 'p50'))}${direct ? '' : ` (${signed(med(n, 'p50') - d('p50'))})`} | ${fmt(med(n, 'p99'))}${direct ? '' : ` (${signed(med(n, 'p99') - d('p99'))})`} | ${fmt(med(n, 'rps'))} (${x(med(n, 'rps'), d('rps'))}, ${x(med(n, 'rps'), h('rps'))}) | ${fmt(med(n, 'mbps'))} (${x(med(n, 'mbps'), h('mbps'))}) | ${fmt(med(n, 'cps'))} (${x(med(n, 'cps'), d('cps'))}, ${x(med(n, 'cps'), h('cps'))}) |`,
  );
  cpuLines.push(`| ${n} | ${fmt(med(n, 'rpsCpu'), 1)} (${x(med(n, 'rpsCpu'), h('rpsCpu'))}) | ${fmt(med(n, 'mbCpu'), 2)} (${x(med(n, 'mbCpu'), h('mbCpu'))}) | ${fmt(med(n, 'connCpu'), 1)} (${x(med(n, 'connCpu'), h('connCpu'))}) |`);
}
process.stdout.write(
  `\n${SECONDS} s per measurement, median of ${ROUNDS} interleaved rounds, wrk -t1 (latency: -c1; req/s and new conn/s: -c32; bulk: -c1, 64 MiB file); subject: ${process.env.FAULTLINE_BENCH_PROXY ? 'bundled JS' : 'tsx'}\n\n${lines.join('\n')}\n\nCPU used by the subject itself (all its threads; direct = nginx), per unit of work:\n\n${cpuLines.join('\n')}\n`,
);

const redis = await redisBench();
printRedis(redis);

// The ratios issue 19 sets goals for (one thread vs haproxy nbthread 1; redis -P16 vs direct).
const goals: [label: string, value: (n: string) => number, goal: string, ok: (v: number) => boolean][] = [
  ['small req/s x haproxy', (n) => med(n, 'rps') / h('rps'), '>= 0.9', (v) => v >= 0.9],
  ['bulk MB/s x haproxy', (n) => med(n, 'mbps') / h('mbps'), '>= 1.0', (v) => v >= 1.0],
  ['new conn/s x haproxy', (n) => med(n, 'cps') / h('cps'), '>= 0.9', (v) => v >= 0.9],
  ['CPU per small request x haproxy', (n) => med(n, 'rpsCpu') / h('rpsCpu'), '<= 1.1', (v) => v <= 1.1],
  ['CPU per new connection x haproxy', (n) => med(n, 'connCpu') / h('connCpu'), '<= 1.1', (v) => v <= 1.1],
  ['added p50 x haproxy\'s', (n) => (med(n, 'p50') - d('p50')) / (h('p50') - d('p50')), '<= 1.0', (v) => v <= 1.0],
  ['redis -P16 SET x direct', (n) => median(redis.get(n)?.set ?? [NaN]) / median(redis.get('direct')!.set), '>= 0.5', (v) => v >= 0.5],
  ['redis -P16 GET x direct', (n) => median(redis.get(n)?.get ?? [NaN]) / median(redis.get('direct')!.get), '>= 0.5', (v) => v >= 0.5],
];
const judged = subjects.filter((s) => s.name.startsWith('faultline, no') || s.name.startsWith('faultline, net') || s.name.startsWith('faultline, --workers') || s.name === 'toxiproxy' || s.name === 'haproxy');
const goalLines = [`| ratio (goal) | ${judged.map((s) => s.name).join(' | ')} |`, `|---|${judged.map(() => '---|').join('')}`];
for (const [label, value, goal, ok] of goals) {
  goalLines.push(`| ${label} (${goal}) | ${judged.map((s) => { const v = value(s.name); return Number.isNaN(v) ? '–' : `${fmt(v, 2)}${s.name.startsWith('faultline, no') ? (ok(v) ? ' ✓' : ' ✗') : ''}`; }).join(' | ')} |`);
}
process.stdout.write(`\nRatios (issue 19's goals apply to faultline, one thread, no toxic; ✓ met in this run):\n\n${goalLines.join('\n')}\n\nload average at end: ${load()}\n`);

const latency = await latencyAccuracy(nginx);
const bw = [await bandwidthAccuracy(1000, 3_000_000), await bandwidthAccuracy(10_000, 20_000_000)];
process.stdout.write(
  `\nAccuracy: 100 ms latency toxic adds ${fmt(latency.added, 2)} ms at the median (direct ${fmt(latency.direct)} µs, proxied ${fmt(latency.proxied)} µs, 50 requests)\n` +
    bw.map((b) => `Bandwidth toxic ${fmt(b.rateKB)} KB/s: measured ${fmt(b.measuredKB)} KB/s (${b.error >= 0 ? '+' : ''}${fmt(b.error * 100, 1)}%)`).join('\n') +
    '\n',
);
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ seconds: SECONDS, rounds: ROUNDS, results: Object.fromEntries(results), redis: Object.fromEntries(redis), latency, bandwidth: bw }, null, 2));
await stopAll();
process.exit(0);

function printRedis(r: Map<string, { set: number[]; get: number[] }>): void {
  const direct = r.get('direct')!;
  const rows = [...r].map(
    ([name, v]) =>
      `| ${name} | ${fmt(median(v.set))} (${fmt(median(v.set) / median(direct.set), 2)}) | ${fmt(median(v.get))} (${fmt(median(v.get) / median(direct.get), 2)}) |`,
  );
  process.stdout.write(
    `\nredis-benchmark -c 20 -P 16 -t set,get, median of ${ROUNDS} interleaved rounds:\n\n| subject | SET rps (x direct) | GET rps (x direct) |\n|---|---|---|\n${rows.join('\n')}\n`,
  );
}
