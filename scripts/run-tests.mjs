// Runs node's test runner over test files found by suffix (Node 20's --test takes no globs).
// Usage: node scripts/run-tests.mjs [dir or file ...]   (default: src test, excluding test/system)
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

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
const concurrency = roots.some((r) => r.startsWith(join('test', 'system'))) ? '1' : '2';
const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files], { stdio: 'inherit' });
process.exit(res.status ?? 1);
