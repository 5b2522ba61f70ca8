// Runs the test files found by suffix (Node 20's --test takes no globs), several at once.
// Usage: node scripts/run-tests.mjs [dir or file ...]   (default: src test, excluding test/system)
//
// Each file runs in its own node process (`node --import tsx <file>`: node:test runs it and exits
// non-zero on a failure). Its output is printed whole when it ends, so parallel files never
// interleave; a summary with the slowest files closes the run.
//
// Scheduling: most files wait on real processes, timers and sockets rather than use the CPU, so
// more files run at once than there are cores. The heavy real-process suites (the demo shop,
// the catalog, the CLI end to end) start first — the longest first, so none is left running alone
// at the end — and at most HEAVY of them run at once while the demo shop's suites run, so they do
// not starve each other of the CPU on a small machine; once those are done, the rest may fill
// every slot. test/system runs one file at a time (it shares docker, netns, nftables).
//
// Environment: FAULTLINE_TEST_CONCURRENCY (files at once), FAULTLINE_TEST_HEAVY (heavy files at
// once), FAULTLINE_TEST_FILE_TIMEOUT (ms before a file is killed as hung; default 30 min).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, sep } from 'node:path';

const args = process.argv.slice(2);
const roots = args.length > 0 ? args : ['src', 'test'];
const skip = args.length > 0 ? [] : [join('test', 'system')];

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (skip.includes(p) || name === 'node_modules' || name === 'fixtures') continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = roots.flatMap((r) => (statSync(r).isDirectory() ? walk(r, []) : [r])).sort();
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}

// The heavy suites, heaviest first (minutes each on 2 cores): what starts first and is rationed.
// HEAVY run the demo shop (or a browser): at most `heavyLimit` of them at once, always. EARLY are
// real-process suites that start early and share that ration while any HEAVY file is running or
// waiting — once the shop suites are done, they may fill every slot (the run's tail is theirs).
const HEAVY = [
  'test/catalog/runs-',
  'test/demo/suite-cli-',
  'test/demo/demo-command',
  'test/demo/real-backends',
  'test/observability/',
  'test/web-dashboard/demo',
  'test/web-dashboard/browser',
  'test/e2e/metrics-demo',
  'test/system/',
  'test/demo/shop',
];
const EARLY = ['test/e2e/', 'test/load/', 'test/proxy/', 'test/protocols/', 'test/experiment/', 'test/drivers/proxy/', 'test/kubernetes/', 'test/schedule/', 'test/gameday/', 'test/ci/'];
const RANKED = [...HEAVY, ...EARLY].map((p) => p.split('/').join(sep));
const heavyRank = (f) => {
  const i = RANKED.findIndex((p) => f.startsWith(p));
  return i === -1 ? RANKED.length : i;
};
const isShop = (f) => heavyRank(f) < HEAVY.length;
const isHeavy = (f) => heavyRank(f) < RANKED.length;
// Heavy first by rank, then larger files first (a rough measure of how long a file runs).
const queue = files
  .map((f) => ({ file: f, rank: heavyRank(f), size: statSync(f).size }))
  .sort((a, b) => a.rank - b.rank || b.size - a.size)
  .map((x) => x.file);

const envInt = (name, fallback) => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
};
const systemOnly = files.every((f) => f.startsWith(join('test', 'system')));
const cores = availableParallelism();
// On 2 cores: 4 files at once, 2 of them heavy. More starved the demo shop's own 250-500 ms
// timeouts on a 2-core machine (measured: 4 heavy at once failed most catalog and suite shards).
const concurrency = systemOnly ? 1 : envInt('FAULTLINE_TEST_CONCURRENCY', cores * 2);
const heavyLimit = systemOnly ? 1 : Math.min(concurrency, envInt('FAULTLINE_TEST_HEAVY', cores));
const fileTimeoutMs = envInt('FAULTLINE_TEST_FILE_TIMEOUT', 30 * 60_000);

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, text) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`;

/**
 * CPU seconds a running file has used with the children it has reaped (Linux: /proc/PID/stat's
 * utime, stime, cutime and cstime), or undefined. Sampled each second while it runs, so the last
 * second is missing: the summary's "most CPU" ranks files, it is not an exact account.
 */
const TICKS_PER_SECOND = 100;
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14-17 of stat(5), counted from the state field (3) after the command name.
    return fields.slice(11, 15).reduce((n, f) => n + Number(f), 0) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Run one file; resolve with its result once it has exited. */
function runFile(file) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', '--test-reporter=spec', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...(color ? { FORCE_COLOR: '1' } : {}) },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    let cpu;
    const sampler = setInterval(() => (cpu = cpuSeconds(child.pid) ?? cpu), 1000);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, fileTimeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(sampler);
      const ms = performance.now() - started;
      // eslint-disable-next-line no-control-regex
      const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
      const count = (what) => Number(plain.match(new RegExp(`^ℹ ${what} (\\d+)$`, 'm'))?.[1] ?? 0);
      if (timedOut) output += `\n${file}: killed after ${seconds(fileTimeoutMs)} (FAULTLINE_TEST_FILE_TIMEOUT): a test hung, or the machine is very busy\n`;
      resolve({ file, ms, cpu, ok: code === 0 && !timedOut, code, signal, output, tests: count('tests'), pass: count('pass'), fail: count('fail'), skipped: count('skipped') + count('todo') + count('cancelled') });
    });
  });
}

const wallStart = performance.now();
const results = [];
let running = 0;
let heavyRunning = 0;
let shopRunning = 0;
console.log(`${files.length} test files, up to ${concurrency} at once (${heavyLimit} of the heavy suites) on ${cores} cores`);

await new Promise((resolveAll) => {
  const pending = [...queue];
  const startMore = () => {
    while (running < concurrency && pending.length > 0) {
      // The next heavy file if one may start, else the next light one. EARLY files are rationed
      // only while a shop suite runs or waits.
      const shopsLeft = shopRunning > 0 || pending.some(isShop);
      const index = pending.findIndex((f) => !isHeavy(f) || heavyRunning < heavyLimit || (!isShop(f) && !shopsLeft));
      if (index === -1) break;
      const [file] = pending.splice(index, 1);
      const heavy = isHeavy(file);
      const shop = isShop(file);
      running++;
      if (heavy) heavyRunning++;
      if (shop) shopRunning++;
      void runFile(file).then((r) => {
        running--;
        if (heavy) heavyRunning--;
        if (shop) shopRunning--;
        results.push(r);
        const mark = r.ok ? paint('32', '✔') : paint('31', '✖');
        process.stdout.write(`\n${paint('1', `${mark} ${r.file}`)} ${paint('2', `(${seconds(r.ms)}, ${results.length}/${files.length})`)}\n${r.output.trimEnd()}\n`);
        if (pending.length === 0 && running === 0) resolveAll();
        else startMore();
      });
    }
  };
  startMore();
});

const wall = performance.now() - wallStart;
const failed = results.filter((r) => !r.ok);
// The failures again, just above the summary: CI logs are often read from the end, and a failed
// file's own output may be hundreds of lines up.
for (const r of failed) {
  // eslint-disable-next-line no-control-regex
  const plain = r.output.replace(/\x1b\[[0-9;]*m/g, '');
  const at = plain.lastIndexOf('✖ failing tests:');
  const lines = (at >= 0 ? plain.slice(at) : plain).trimEnd().split('\n');
  // The section from its start; a file that crashed without one, its last lines.
  const shown = lines.length <= 80 ? lines : at >= 0 ? [...lines.slice(0, 80), `… ${lines.length - 80} more lines in the file's output above`] : [`… the file's last 80 lines:`, ...lines.slice(-80)];
  console.log(`\n${paint('31', `✖ ${r.file}: what failed`)}\n${shown.join('\n')}`);
}
const sum = (k) => results.reduce((n, r) => n + r[k], 0);
const slowest = [...results].sort((a, b) => b.ms - a.ms).slice(0, 10);
console.log(`\n${paint('1', 'Summary')}`);
console.log(`  ${results.length} files · ${sum('tests')} tests · ${sum('pass')} passed · ${sum('fail')} failed · ${sum('skipped')} skipped/cancelled · ${seconds(wall)} wall, ${seconds(sum('ms'))} of file time`);
console.log('  slowest files:');
for (const r of slowest) console.log(`    ${seconds(r.ms).padStart(7)}  ${r.file}`);
const measured = results.filter((r) => r.cpu !== undefined);
if (measured.length > 0) {
  const cpuTotal = measured.reduce((n, r) => n + r.cpu, 0);
  console.log(`  most CPU (of ${cpuTotal.toFixed(0)} s in all, ${(cpuTotal / (wall / 1000)).toFixed(1)} cores busy on average; each file with what it started):`);
  for (const r of [...measured].sort((a, b) => b.cpu - a.cpu).slice(0, 10)) console.log(`    ${`${r.cpu.toFixed(1)}s`.padStart(7)}  ${r.file}`);
}
if (failed.length > 0) {
  console.log(paint('31', `  ${failed.length} file(s) failed:`));
  for (const r of failed) console.log(paint('31', `    ${r.file} (${r.signal ? `killed by ${r.signal}` : `exit ${r.code}`})`));
}
// The closing line, plain, for CI and for scripts/ci/test-summary.mjs: the totals of every file.
console.log(`${sum('pass')} passed, ${sum('fail') + failed.filter((r) => r.fail === 0).length} failed, ${sum('skipped')} skipped`);
if (failed.length > 0) process.exit(1);
