// Memory of a long open-model run: `faultline load --rate` (the built CLI) against the plain Node
// server, its resident set size (VmRSS from /proc, every thread of the process) sampled over time,
// printed as a table with a bar per sample, and the growth over the second half of the run.
//   npm run build && node bench/load/memory.mjs [--minutes 10] [--rate 2000] [--workers 1] [--every 10]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const minutes = Number(opt('--minutes', 10));
const rate = Number(opt('--rate', 2000));
const workers = Number(opt('--workers', 1));
const everyS = Number(opt('--every', minutes <= 3 ? 5 : 10));

const rssMb = (pid) => {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return NaN;
  }
};

const server = spawn(process.execPath, [join(here, 'server.mjs'), '0', 'plain'], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((r) => server.stdout.once('data', (d) => r(String(d).trim())));
const url = `http://127.0.0.1:${port}/`;
const argv = [join(root, 'bin/faultline.js'), 'load', url, '--rate', `${rate}/s`, '-d', `${minutes * 60}s`, '-w', String(workers), '--json', '--no-progress'];
console.log(`# faultline load memory — ${new Date().toISOString()}`);
console.log(`${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; faultline load --rate ${rate}/s for ${minutes} min, ${workers} worker${workers === 1 ? '' : 's'}; load average before: ${loadavg().map((n) => n.toFixed(2)).join(' ')}\n`);
const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
child.stdout.on('data', (d) => (out += d));
const samples = [];
const started = Date.now();
const timer = setInterval(() => samples.push({ s: (Date.now() - started) / 1000, mb: rssMb(child.pid) }), everyS * 1000);
await new Promise((r) => child.on('close', r));
clearInterval(timer);
server.kill('SIGTERM');

const valid = samples.filter((x) => Number.isFinite(x.mb));
const max = Math.max(...valid.map((x) => x.mb));
console.log('| t (s) | RSS MB | |');
console.log('|---|---|---|');
for (const x of valid) console.log(`| ${x.s.toFixed(0)} | ${x.mb.toFixed(1)} | ${'█'.repeat(Math.round((x.mb / max) * 40))} |`);
// Least-squares slope over the second half: growth once the process is warm.
const half = valid.slice(Math.floor(valid.length / 2));
let slope = NaN;
if (half.length >= 2) {
  const mx = half.reduce((a, x) => a + x.s, 0) / half.length;
  const my = half.reduce((a, x) => a + x.mb, 0) / half.length;
  slope = half.reduce((a, x) => a + (x.s - mx) * (x.mb - my), 0) / half.reduce((a, x) => a + (x.s - mx) ** 2, 0);
}
const s = JSON.parse(out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1) || '{}');
// The heap grows between major GCs and drops at each (a sawtooth): compare the peaks of the two halves, not the last sample.
const firstHalfMax = Math.max(...valid.slice(0, Math.floor(valid.length / 2)).map((x) => x.mb));
const secondHalfMax = Math.max(...half.map((x) => x.mb));
console.log(`\nRSS first sample ${valid[0]?.mb.toFixed(1)} MB, last ${valid.at(-1)?.mb.toFixed(1)} MB; peak of the first half ${firstHalfMax.toFixed(1)} MB, of the second half ${secondHalfMax.toFixed(1)} MB (${(secondHalfMax - firstHalfMax >= 0 ? '+' : '') + (secondHalfMax - firstHalfMax).toFixed(1)} MB); least-squares slope over the second half ${(slope * 60).toFixed(2)} MB/min (misleading across a GC drop)`);
console.log(`load: ${s.requests} requests, achieved ${s.achievedRate}/s of ${s.requestedRate}/s, ${s.lateRequests} late, p99 ${s.latencyMs?.p99} ms, errors ${s.errors}`);
console.log(`load average after: ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
