// Where a `node --cpu-prof` profile's time went: self time by function (top N) and by kind.
// Usage: node bench/proxy/profile-summary.mjs FILE.cpuprofile [N]
import { readFileSync } from 'node:fs';

const [file, top = '18'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
let total = 0;
profile.samples.forEach((id, i) => {
  const us = dt[i] ?? 0;
  total += us;
  self.set(id, (self.get(id) ?? 0) + us);
});
const byFn = new Map();
const kinds = new Map();
for (const [id, us] of self) {
  const { callFrame: f } = byId.get(id);
  const where = f.url ? `${f.url.replace(/^.*\/(node_modules|src|faultline-proxy|internal)/, '$1').replace(/^file:\/\/\/.*\//, '')}:${f.lineNumber + 1}` : '';
  const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
  byFn.set(key, (byFn.get(key) ?? 0) + us);
  const kind = /^\((idle|program|garbage collector)\)$/.test(f.functionName) ? f.functionName : f.url.startsWith('node:') ? 'node internals (JS)' : f.url ? 'faultline (JS)' : 'native / V8 builtins';
  kinds.set(kind, (kinds.get(kind) ?? 0) + us);
}
const pct = (us) => `${((100 * us) / total).toFixed(1)}%`.padStart(6);
const busy = total - (kinds.get('(idle)') ?? 0);
process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(2)} s busy (${pct(busy)})\n`);
for (const [k, us] of [...kinds].sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${pct(us)}  ${k}\n`);
process.stdout.write('  top functions by self time:\n');
for (const [k, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) process.stdout.write(`  ${pct(us)}  ${k}\n`);
