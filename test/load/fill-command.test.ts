// {report} in an external load tool's command line: quoted for the shell where it stands, so a
// path with spaces, quotes, `$` or `$(…)` is one word and never runs as code.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fillCommand, fillShell } from '../../src/load/fill-command.js';
import { startLoad } from '../../src/load/start-load.js';
import { tempDir } from '../helpers/cli.js';

const summary = readFileSync(new URL('./fixtures/k6-summary-export.json', import.meta.url), 'utf8');
/** A directory name a shell would split, unquote, expand or run if it were pasted in bare. */
const HOSTILE = `it's a "dir" $HOME \`touch pwned-backtick\` $(touch pwned) ;x`;

describe('fillShell', () => {
  it('quotes the value for its context: bare, inside single quotes, inside double quotes', () => {
    assert.equal(fillShell('k6 run --out json={report} s.js', '{report}', "/t/a b'c"), "k6 run --out json='/t/a b'\\''c' s.js");
    assert.equal(fillShell("cat '{report}'", '{report}', "/t/a b'c"), "cat '/t/a b'\\''c'");
    assert.equal(fillShell('cat "{report}"', '{report}', '/t/a "b" $x `y` \\z'), 'cat "/t/a \\"b\\" \\$x \\`y\\` \\\\z"');
    // Escaped quotes open nothing; a quote inside the other kind is literal.
    assert.equal(fillShell(`echo \\' {report} "it's" {report}`, '{report}', 'a b'), `echo \\' 'a b' "it's" 'a b'`);
  });

  it('leaves an argv list literal: no shell reads it', () => {
    assert.deepEqual(fillCommand(['k6', 'run', '--summary-export={report}'], '/t/a b'), ['k6', 'run', '--summary-export=/t/a b']);
    assert.deepEqual(fillCommand('k6 run {report}', undefined), ['/bin/sh', '-c', 'k6 run {report}']);
  });
});

describe('external load command with {report}', () => {
  for (const [context, command] of [
    ['bare', `printf '%s' "$SUMMARY" > {report}`],
    ['in single quotes', `printf '%s' "$SUMMARY" > '{report}'`],
    ['in double quotes', `printf '%s' "$SUMMARY" > "{report}"`],
  ] as const) {
    it(`writes the report to a path with spaces, quotes and $(…) — placeholder ${context}`, async () => {
      const dir = await tempDir();
      try {
        const reportDir = join(dir.path, HOSTILE);
        await mkdir(reportDir);
        const report = join(reportDir, 'summary.json');
        const run = startLoad({ command, format: 'k6', report, env: { SUMMARY: summary }, cwd: dir.path, graceMs: 1000 });
        await run.ended;
        const record = await run.stop();
        assert.equal(record.error, undefined, `${record.error} — ${record.command?.output}`);
        assert.equal(record.buckets[0]!.requests, 1200);
        assert.equal(await readFile(report, 'utf8'), summary);
        assert.ok(!existsSync(join(dir.path, 'pwned')) && !existsSync(join(dir.path, 'pwned-backtick')), 'the path ran as code');
      } finally {
        await dir.cleanup();
      }
    });
  }
});
