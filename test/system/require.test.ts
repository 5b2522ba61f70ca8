// CI's rule for system tests: with FAULTLINE_REQUIRE_SYSTEM=1 a test that would skip fails with
// its reason, and scripts/ci/test-summary.mjs fails a run whose summary shows a skip. Without the
// variable the same tests skip with the reason. Needs neither root nor a daemon.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('./fixtures/would-skip.ts', import.meta.url));
const summaryScript = fileURLToPath(new URL('../../scripts/ci/test-summary.mjs', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'flt-require-'));
after(() => rmSync(work, { recursive: true, force: true }));

function runFixture(env: Record<string, string>): { code: number | null; out: string } {
  // Not this run's: CI's FAULTLINE_REQUIRE_SYSTEM, the runner's own context, CI's NODE_OPTIONS reporter.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['FAULTLINE_REQUIRE_SYSTEM', 'NODE_TEST_CONTEXT', 'NODE_OPTIONS'].includes(k)));
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', fixture], { encoding: 'utf8', env: { ...clean, ...env } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function checkSummary(log: string): { code: number | null; out: string } {
  const file = join(work, `log-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, log);
  const r = spawnSync(process.execPath, [summaryScript, file], { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('a system test that cannot run here', { concurrency: true }, () => {
  test('skips with its reason by default, and the CI summary check fails on that skip', () => {
    const run = runFixture({ WOULD_SKIP_FILE: 'needs a Docker engine at /var/run/docker.sock' });
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /# SKIP needs a Docker engine at \/var\/run\/docker\.sock/);
    // node counts a skipped describe() in neither "tests" nor "skipped": the check reads its line.
    assert.match(run.out, /^# skipped 0$/m);
    const summary = checkSummary(run.out);
    assert.equal(summary.code, 1, summary.out);
    assert.match(summary.out, /1 skipped, none passed: every system test must run here/);
    assert.match(summary.out, /# SKIP needs a Docker engine/);
  });

  test('fails with its reason when FAULTLINE_REQUIRE_SYSTEM=1 (a describe-level skip)', () => {
    const run = runFixture({ WOULD_SKIP_FILE: 'needs a Docker engine at /var/run/docker.sock', FAULTLINE_REQUIRE_SYSTEM: '1' });
    assert.notEqual(run.code, 0, run.out);
    assert.match(run.out, /would-skip\.ts would skip \(needs a Docker engine at \/var\/run\/docker\.sock\), but FAULTLINE_REQUIRE_SYSTEM=1/);
    assert.equal(checkSummary(run.out).code, 1);
  });

  test('fails with its reason when FAULTLINE_REQUIRE_SYSTEM=1 (a skip decided inside a test)', () => {
    const skipped = runFixture({ WOULD_SKIP_TEST: 'no cpu.max in /sys/fs/cgroup/x' });
    assert.equal(skipped.code, 0, skipped.out);
    assert.match(skipped.out, /# SKIP no cpu\.max/);
    const run = runFixture({ WOULD_SKIP_TEST: 'no cpu.max in /sys/fs/cgroup/x', FAULTLINE_REQUIRE_SYSTEM: '1' });
    assert.notEqual(run.code, 0, run.out);
    assert.match(run.out, /test "runs" would skip \(no cpu\.max in \/sys\/fs\/cgroup\/x\), but FAULTLINE_REQUIRE_SYSTEM=1/);
  });

  test('the summary check passes a run where everything ran, and fails one it cannot read', () => {
    const run = runFixture({});
    assert.equal(run.code, 0, run.out);
    const ok = checkSummary(run.out);
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /test summary: tests 1, suites 1, pass 1, fail 0, cancelled 0, skipped 0, todo 0/);
    const spec = checkSummary('✔ a (1ms)\nℹ tests 3\nℹ pass 2\nℹ skipped 1\nℹ todo 0\n');
    assert.equal(spec.code, 1, spec.out);
    assert.match(spec.out, /1 skipped/);
    const none = checkSummary('Could not find test files\n');
    assert.equal(none.code, 1);
    assert.match(none.out, /no test runner summary found/);
  });
});
