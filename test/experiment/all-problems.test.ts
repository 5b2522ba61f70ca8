// Validation lists every problem of a file at once, in line order (issue 14, item 18): a broken
// step or field never hides an unknown service elsewhere.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
before(async () => {
  ({ path: dir, cleanup } = await tempDir());
  await writeFile(join(dir, 'faultline.yaml'), 'services:\n  api:\n    endpoint: "127.0.0.1:1"\n    health: { tcp: "127.0.0.1:1" }\n  db:\n    endpoint: "127.0.0.1:2"\n');
});
after(() => cleanup());

const errorLines = (text: string) => text.split('\n').filter((l) => l.startsWith('error '));

test('a step without a target does not hide the next step\'s unknown service; all come in line order', async () => {
  await writeFile(
    join(dir, 'several.yaml'),
    ['title: several problems', 'guardrails:', '  exclude: [dbb]', 'method:', '  - fault: kill', '  - fault: kill', '    target: apx', '  - wait: soon', 'recovery: { within: 5s, services: [nope] }', ''].join('\n'),
  );
  const r = await runCli(['validate', 'several.yaml'], { cwd: dir });
  assert.equal(r.code, 2);
  assert.deepEqual(errorLines(r.stderr).map((l) => l.replace(/^(error [^:]+:\d+):\d+/, '$1')), [
    'error several.yaml:3 at guardrails.exclude[0]: unknown service "dbb" (did you mean "db"?); the system file defines: api, db',
    'error several.yaml:5 at method[0].target: missing required field (see `faultline schema` for its forms)',
    'error several.yaml:7 at method[1].target: unknown service "apx" (did you mean "api"?); the system file defines: api, db',
    'error several.yaml:8 at method[2].wait: expected a duration such as 500ms, 5s or 1m30s, got "soon"',
    'error several.yaml:9 at recovery.services[0]: unknown service "nope"; the system file defines: api, db',
  ]);
});

test('a broken top-level field does not hide the references of the steps either, and run says the same', async () => {
  await writeFile(join(dir, 'no-title.yaml'), ['method:', '  - fault: kill', '    target: apx', 'bogus: 1', ''].join('\n'));
  const r = await runCli(['validate', 'no-title.yaml'], { cwd: dir });
  assert.equal(r.code, 2);
  assert.deepEqual(errorLines(r.stderr), [
    'error no-title.yaml:1:1 at title: missing required field (expected string)',
    'error no-title.yaml:3:13 at method[0].target: unknown service "apx" (did you mean "api"?); the system file defines: api, db',
    'error no-title.yaml:4:1 at bogus: unknown field "bogus"',
  ]);
  const run = await runCli(['run', 'no-title.yaml', '--dry-run'], { cwd: dir });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /3 problems:\n {2}- no-title\.yaml:1:1 at title: .*\n {2}- no-title\.yaml:3:13 at method\[0\]\.target: unknown service "apx".*\n {2}- no-title\.yaml:4:1 at bogus/);
});
