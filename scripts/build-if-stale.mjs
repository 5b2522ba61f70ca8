// `npm test`'s pretest: build dist/ unless it is newer than every source file (the tests spawn the
// built CLI). An up-to-date build is skipped: it only costs time, and would rewrite files a
// running CLI (a `faultline up`, another test run) is executing.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SOURCES = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
const STAMP = join('dist', 'index.js');

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

function builtAt() {
  try {
    return statSync(STAMP).mtimeMs;
  } catch {
    return 0; // never built
  }
}
const built = builtAt();
const changed = Math.max(...SOURCES.map(newest));
if (built > changed) {
  console.log('dist/ is newer than every source: not rebuilding (npm run build forces it)');
} else {
  console.log('building dist/ (npm run build): a source file changed since the last build');
  const r = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
