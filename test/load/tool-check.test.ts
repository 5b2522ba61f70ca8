// An external load tool that is not installed is found when the experiment is validated — exit 2,
// before any service starts or any fault is injected — not at the end of the run.
import assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadToolProblem, programOf } from '../../src/load/tool-check.js';
import { runCli, tempDir } from '../helpers/cli.js';

describe('programOf', () => {
  it('reads the program a command runs, and leaves alone what only a shell can tell', () => {
    assert.equal(programOf('k6 run --summary-export {report} load.js'), 'k6');
    assert.equal(programOf('K6_NO_COLOR=1 exec ./bin/k6 run x.js'), './bin/k6');
    assert.equal(programOf(['artillery', 'run', 'x.yml']), 'artillery');
    for (const shellOnly of ['cd load && k6 run x.js', '"$K6" run x.js', '$(which k6) run', 'echo hi', 'env -i k6 run', '{ k6 run; }', 'FOO="a b" k6 run']) {
      assert.equal(programOf(shellOnly), undefined, shellOnly);
    }
  });
});

describe('loadToolProblem', () => {
  it('finds a tool on the PATH it will run with, or says what to do', async () => {
    const dir = await tempDir();
    try {
      const bin = join(dir.path, 'bin');
      await mkdir(bin);
      await writeFile(join(bin, 'k6'), '#!/bin/sh\nexit 0\n');
      await chmod(join(bin, 'k6'), 0o755);
      await writeFile(join(bin, 'artillery'), 'not executable');
      assert.equal(loadToolProblem({ command: 'k6 run x.js', format: 'k6', env: { PATH: bin } }, dir.path), undefined);
      assert.equal(loadToolProblem({ command: ['./bin/k6', 'run'], format: 'k6' }, dir.path), undefined);
      assert.equal(
        loadToolProblem({ command: 'k6 run x.js', format: 'k6', env: { PATH: '/nonexistent' } }, dir.path),
        'k6 not found on PATH (/nonexistent): install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/), or give its full path in load.command',
      );
      assert.match(loadToolProblem({ command: 'artillery run x.yml', format: 'artillery', env: { PATH: bin } }, dir.path)!, /^artillery not found on PATH .*: install Artillery \(npm install -g artillery\)/);
      assert.match(loadToolProblem({ command: ['./bin/artillery', 'run'], format: 'artillery' }, dir.path)!, /^\.\/bin\/artillery not executable \(.*\/bin\/artillery; a relative path is from the experiment file's folder\)/);
      assert.match(loadToolProblem({ command: '/opt/none/autocannon -d 5 URL', format: 'autocannon' }, dir.path)!, /^\/opt\/none\/autocannon not found .*install autocannon/);
      assert.equal(loadToolProblem({ command: 'cd sub && k6 run x.js', format: 'k6', env: { PATH: '/nonexistent' } }, dir.path), undefined, 'only a shell knows');
    } finally {
      await dir.cleanup();
    }
  });
});

describe('faultline run / validate with a load tool that is not installed', () => {
  it('exits 2 at validation, naming the tool and what to do, and starts nothing', async () => {
    const dir = await tempDir();
    try {
      const started = join(dir.path, 'started');
      await writeFile(join(dir.path, 'service.cjs'), `require('fs').writeFileSync(${JSON.stringify(started)}, '1');\nsetInterval(() => {}, 1000);\n`);
      await writeFile(join(dir.path, 'faultline.yaml'), `services:\n  api:\n    process:\n      command: ["${process.execPath}", "service.cjs"]\n`);
      await writeFile(
        join(dir.path, 'e.yaml'),
        `title: k6 missing\nload:\n  command: k6 run --summary-export {report} load.js\n  format: k6\n  env: { PATH: ${JSON.stringify(join(dir.path, 'no-bin'))} }\nmethod:\n  - { fault: kill, target: api }\n`,
      );
      for (const args of [['run', 'e.yaml', '--yes'], ['validate', 'e.yaml']]) {
        const r = await runCli(args, { cwd: dir.path, timeoutMs: 30_000 });
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr + r.stdout, /e\.yaml:\d+.*load\.command.*k6 not found on PATH \(.*no-bin\): install k6 \(https:\/\/grafana\.com\/docs\/k6\/latest\/set-up\/install-k6\/\), or give its full path in load\.command/);
      }
      assert.ok(!existsSync(started), 'the service was started');
      assert.ok(!existsSync(join(dir.path, '.faultline')), 'the run went past validation');
    } finally {
      await dir.cleanup();
    }
  });
});
