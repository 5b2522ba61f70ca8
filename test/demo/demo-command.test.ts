// `faultline demo` end to end with the real, built CLI and the real shop processes: the quick
// suite against each build (verdicts, summary, reports, cascade), and Ctrl-C in the middle of a
// held fault (exit 3, the fault reverted, no shop process left, no open ledger entry).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { spanFree } from '../../src/demo/shop/free-ports.js';
import type { DemoSummary } from '../../src/demo/run/summary.js';
import type { Journal } from '../../src/journal/types.js';
import { ledgerPath, readLedger } from '../../src/safety/ledger.js';
import { listActiveRuns } from '../../src/safety/active-runs.js';
import { openFaults } from '../../src/safety/open-faults.js';
import { isAlive } from '../../src/util/proc.js';
import { runCli, startCli, tempDir, waitFor } from '../helpers/cli.js';
import { freeBasePort } from './helpers.js';

const QUICK = ['service-kill', 'cache-outage', 'database-outage'];
const REPORT_FILES = ['journal.json', 'report.html', 'report.md', 'junit.xml'];
/** Generous: the quick suite takes about 25 s (resilient) and 35 s (fragile) on a busy 2-core machine. */
const CLI_TIMEOUT_MS = 180_000;

const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

async function workspace(): Promise<{ cwd: string; report: string; state: string; basePort: number }> {
  const dir = await tempDir('faultline-demo-cmd-');
  cleanups.push(dir.cleanup);
  return { cwd: dir.path, report: join(dir.path, 'report'), state: join(dir.path, 'state'), basePort: await freeBasePort() };
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** The shop and its proxies are gone (their ports free), nothing is left open in the ledger, no run is registered. */
async function assertNothingLeft(basePort: number, demoState: string): Promise<void> {
  assert.ok(await waitFor(() => spanFree(basePort), { timeoutMs: 10_000, what: `ports ${basePort}+ to be free` }), 'every shop port is free again');
  assert.deepEqual(openFaults(await readLedger(ledgerPath(demoState))), [], 'no fault is open in the ledger');
  assert.deepEqual((await listActiveRuns(demoState)).active, [], 'no run is still registered');
}

/** The temporary directory the demo printed (its files and store data) was removed. */
function assertWorkDirRemoved(stdout: string): void {
  const dir = /files: +(\S+)/.exec(stdout)?.[1];
  assert.ok(dir, 'the header names the directory of the generated files');
  assert.equal(existsSync(dir), false, `${dir} was removed`);
}

test('faultline demo --quick: the resilient build holds every hypothesis (exit 0), with a summary and every report', async () => {
  const w = await workspace();
  const res = await runCli(['demo', '--quick', '--base-port', String(w.basePort), '--report-dir', w.report, '--state-dir', w.state], { cwd: w.cwd, timeoutMs: CLI_TIMEOUT_MS });
  const out = res.stdout + res.stderr;
  assert.equal(res.code, 0, out);

  // Live progress: n/N per experiment, each with its verdict.
  QUICK.forEach((name, i) => assert.match(res.stdout, new RegExp(`\\[${i + 1}/3\\] ${name} · expect held`)));
  assert.equal(res.stdout.match(/→ HELD \(as expected\)/g)?.length, 3, out);
  assert.match(res.stdout, /Resilient build: every hypothesis held \(exit 0\)\./);

  const summary = await readJson<DemoSummary>(join(w.report, 'summary.json'));
  assert.equal(summary.mode, 'resilient');
  assert.equal(summary.exitCode, 0);
  assert.equal(summary.asExpected, true);
  assert.deepEqual(
    summary.experiments.map((e) => [e.name, e.expected, e.status]),
    QUICK.map((n) => [n, 'held', 'held']),
  );
  for (const e of summary.experiments) {
    for (const file of REPORT_FILES) assert.ok(existsSync(join(w.report, e.reportDir, file)), `${e.name}/${file}`);
    const journal = await readJson<Journal>(join(w.report, e.reports.journal!));
    assert.equal(journal.status, 'held');
    assert.ok(journal.load && journal.load.phases.some((p) => p.phase === 'chaos' && p.requests > 0), `${e.name} ran under load`);
    assert.ok(journal.verdicts.some((v) => v.kind === 'slo'), `${e.name} has SLO checks`);
    // Contained: the public API never failed; the targeted service was hit and recovered in time.
    assert.equal(journal.recovery.find((r) => r.service === 'gateway')?.impacted, false, `${e.name}: the gateway stayed healthy`);
    assert.ok(e.recovery.some((r) => r.targeted && r.impacted), `${e.name}: the fault hit its target`);
    assert.ok(e.recovery.every((r) => r.met !== false && (!r.impacted || r.timeToRecoverMs !== null)), `${e.name}: recovered in time`);
  }
  // The supervisor restarted the killed services.
  const kill = summary.experiments.find((e) => e.name === 'service-kill')!;
  assert.ok(kill.recovery.find((r) => r.service === 'catalog')!.restarts >= 1, 'the supervisor restarted catalog');
  assert.ok(summary.services.find((s) => s.service === 'catalog')?.worstTimeToRecoverMs !== null);

  const index = await readFile(join(w.report, 'summary.md'), 'utf8');
  for (const name of QUICK) assert.ok(index.includes(`(${name}/report.html)`), `summary.md links ${name}'s report`);

  await assertNothingLeft(w.basePort, join(w.state, 'demo'));
  assertWorkDirRemoved(res.stdout);
});

test('faultline demo --quick --fragile: the suite deviates (exit 1) and the summary shows the cascade up to the gateway', async () => {
  const w = await workspace();
  const res = await runCli(['demo', '--quick', '--fragile', '--base-port', String(w.basePort), '--report-dir', w.report, '--state-dir', w.state], { cwd: w.cwd, timeoutMs: CLI_TIMEOUT_MS });
  const out = res.stdout + res.stderr;
  assert.equal(res.code, 1, out);
  assert.equal(res.stdout.match(/→ DEVIATED \(as expected\)/g)?.length, 3, out);
  assert.match(res.stdout, /Fragile build: 3 of 3 experiments deviated, as expected/);

  const summary = await readJson<DemoSummary>(join(w.report, 'summary.json'));
  assert.equal(summary.exitCode, 1);
  assert.equal(summary.asExpected, true, 'every experiment got the verdict the suite expects of the fragile build');
  assert.deepEqual(
    summary.experiments.map((e) => [e.name, e.expected, e.status]),
    QUICK.map((n) => [n, 'deviated', 'deviated']),
  );
  for (const e of summary.experiments) {
    // The failure spread from the faulted service up to the public API: what cascaded where.
    const cascade = e.cascades.find((c) => c.spread);
    assert.ok(cascade, `${e.name}: a cascade beyond the faulted service`);
    assert.ok(cascade.steps.some((s) => s.root) && cascade.steps.some((s) => s.service === 'gateway'), `${e.name}: ${cascade.summary}`);
    assert.ok(res.stdout.includes(`${e.name}: ${cascade.summary}`), `the console lists ${e.name}'s cascade`);
    for (const file of REPORT_FILES) assert.ok(existsSync(join(w.report, e.reportDir, file)), `${e.name}/${file}`);
  }
  // Nothing restarts in the fragile build: the killed services never came back.
  for (const [name, service] of [['service-kill', 'catalog'], ['cache-outage', 'cache']] as const) {
    const r = summary.experiments.find((e) => e.name === name)!.recovery.find((x) => x.service === service)!;
    assert.equal(r.timeToRecoverMs, null, `${service} did not recover in ${name}`);
    assert.equal(r.restarts, 0);
  }
  assert.match(res.stdout, /What cascaded where\n {4}service-kill: kill catalog: .*gateway/);

  await assertNothingLeft(w.basePort, join(w.state, 'demo'));
  assertWorkDirRemoved(res.stdout);
});

test('Ctrl-C during a held fault: exit 3, the fault reverted, every shop process stopped, nothing open in the ledger', async () => {
  const w = await workspace();
  const cli = startCli(['demo', '--only', 'database-outage,network-partition', '--base-port', String(w.basePort), '--report-dir', w.report, '--state-dir', w.state], { cwd: w.cwd, timeoutMs: CLI_TIMEOUT_MS });
  // The store is frozen (SIGSTOP) for 5 s: interrupt while it is.
  await waitFor(() => /pause → store/.test(cli.output()), { timeoutMs: 90_000, what: 'the pause of the store' });
  cli.child.kill('SIGINT');
  const res = await cli.done;
  const out = res.stdout + res.stderr;
  assert.equal(res.code, 3, out);
  assert.match(res.stdout, /aborting: interrupted \(Ctrl-C\)/);
  assert.match(res.stdout, /Stopped \(interrupted \(Ctrl-C\)\) after 1 of 2 experiments; everything was reverted and the shop stopped \(exit 3\)\./);

  const summary = await readJson<DemoSummary>(join(w.report, 'summary.json'));
  assert.equal(summary.exitCode, 3);
  assert.equal(summary.stopped, 'interrupted (Ctrl-C)');
  assert.deepEqual(
    summary.experiments.map((e) => [e.name, e.status]),
    [
      ['database-outage', 'aborted'],
      ['network-partition', 'not run'],
    ],
  );
  // The interrupted run still wrote its journal: the pause was reverted, and every process it started is gone.
  const journal = await readJson<Journal>(join(w.report, 'database-outage', 'journal.json'));
  assert.equal(journal.status, 'aborted');
  assert.deepEqual(
    journal.faults.map((f) => [f.kind, f.service, f.status]),
    [['pause', 'store', 'reverted']],
  );
  const pids = journal.serviceEvents.filter((e) => e.type === 'spawn' && e.pid !== undefined).map((e) => e.pid!);
  assert.equal(pids.length, 6, 'the run started the six services');
  for (const pid of pids) assert.equal(isAlive(pid), false, `shop process ${pid} is gone`);

  await assertNothingLeft(w.basePort, join(w.state, 'demo'));
  assertWorkDirRemoved(res.stdout);
});

test('faultline demo: --only with an unknown name is a usage error (exit 2) that lists the suite', async () => {
  const w = await workspace();
  const res = await runCli(['demo', '--only', 'no-such-experiment', '--base-port', String(w.basePort), '--report-dir', w.report, '--state-dir', w.state], { cwd: w.cwd });
  assert.equal(res.code, 2, res.stdout + res.stderr);
  assert.match(res.stderr, /--only: no experiment "no-such-experiment" in the demo suite; it has: service-kill, cache-outage, database-outage/);
  assert.equal(existsSync(w.report), false, 'nothing was written');
});
