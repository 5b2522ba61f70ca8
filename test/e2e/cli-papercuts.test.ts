// First-hour papercuts of the command line (issue 14): names that do not exist are caught with a
// did-you-mean (item 12), every command that can ask takes -y/--yes (item 13), and `run --help`
// states where reports really go (item 22).
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

test('random --exclude with an unknown service: exit 2 and a did-you-mean, nothing killed', async () => {
  const r = await runCli(['random', '--exclude', 'db,apx'], { cwd: dir });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--exclude: unknown service "apx" \(did you mean "api"\?\); the system file defines: api, db/);
});

test('a service named like an Object property (constructor, toString) is unknown, not silently accepted', async () => {
  await writeFile(join(dir, 'proto-names.yaml'), 'title: t\nguardrails:\n  exclude: [constructor]\nmethod:\n  - fault: kill\n    target: toString\n');
  const r = await runCli(['validate', 'proto-names.yaml'], { cwd: dir });
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /proto-names\.yaml:3:\d+ at guardrails\.exclude\[0\]: unknown service "constructor"/);
  assert.match(r.stdout + r.stderr, /proto-names\.yaml:6:\d+ at method\[0\]\.target: unknown service "toString"/);
  const random = await runCli(['random', '--exclude', 'hasOwnProperty'], { cwd: dir });
  assert.equal(random.code, 2);
  assert.match(random.stderr, /--exclude: unknown service "hasOwnProperty"/);
});

test('-y/--yes is accepted by every command that can ask before touching a remote target', async () => {
  const commands: string[][] = [
    ['run', 'missing.yaml'],
    ['kill', 'apx'],
    ['pause', 'apx', '--for', '1s'],
    ['restart', 'apx'],
    ['random', '--exclude', 'apx'],
    ['partition', 'apx', '--for', '1s'],
    ['loss', 'apx', '--for', '1s', '--percent', '10'],
    ['bandwidth', 'apx', '--for', '1s', '--rate', '1mbit'],
    ['limit', 'apx', '--for', '1s', '--cpu', '0.5'],
    ['stress', 'apx', '--for', '1s', '--cpu', '1'],
  ];
  for (const args of commands) {
    for (const flag of ['--yes', '-y']) {
      const r = await runCli([...args, flag], { cwd: dir });
      assert.doesNotMatch(r.stderr, /unknown option/, `${args[0]} ${flag}: ${r.stderr}`);
      // Past option parsing: stopped by the bad name (or missing file), exit 2, before touching anything.
      assert.equal(r.code, 2, `${args[0]} ${flag}: ${r.stderr}`);
      assert.match(r.stderr, /unknown service "apx"|file not found/, `${args[0]} ${flag}: ${r.stderr}`);
    }
  }
});

test('run --help states the default report directory as it resolves here', async () => {
  const stateDir = join(dir, 'elsewhere');
  const r = await runCli(['run', '--help'], { cwd: dir, env: { FAULTLINE_STATE_DIR: stateDir } });
  assert.equal(r.code, 0);
  const help = r.stdout.replace(/\s+/g, ' ');
  assert.ok(help.includes(`default: <state dir>/reports/<run id>; here, without --state-dir: ${join(stateDir, 'reports', '<run id>')}`), help);
  const plain = await runCli(['run', '--help'], { cwd: dir, env: { FAULTLINE_STATE_DIR: '' } });
  assert.ok(plain.stdout.replace(/\s+/g, ' ').includes(`${join(dir, '.faultline', 'reports', '<run id>')}`), plain.stdout);
});
