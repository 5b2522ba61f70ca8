import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { artilleryAdapter } from '../../src/load/adapters/artillery.js';
import { autocannonAdapter } from '../../src/load/adapters/autocannon.js';
import { k6Adapter } from '../../src/load/adapters/k6.js';
import type { ToolRun } from '../../src/load/adapters/tool-run.js';
import { startLoad } from '../../src/load/start-load.js';
import { startServer, type CountingServer } from './servers.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

/** A tool run that started at epoch `epoch0` = run time 0 and lasted `endT` ms, with marks. */
function toolRun(epoch0: number, endT: number, marks: ToolRun['marks'] = []): ToolRun {
  return { startT: 0, endT, toRunT: (e) => e - epoch0, marks, okStatus: ['2xx', '3xx'], intervalMs: 1000 };
}

describe('k6 adapter', () => {
  it('reads --summary-export (http_req_failed passes are the failures)', () => {
    // Whole-run figures: a run across a mark has no per-phase figures, only one bucket.
    const out2 = k6Adapter(fixture('k6-summary-export.json'), toolRun(0, 31_000, [{ phase: 'chaos', t: 10_000 }]));
    assert.deepEqual(out2.phases, []);
    const [bucket] = out2.buckets;
    assert.equal(bucket!.requests, 1200);
    assert.equal(bucket!.errors, 12);
    assert.deepEqual(bucket!.latencyMs, { p50: 12.5, p95: 55, p99: 210.3, max: 412.9 });
    // 1200 requests at 40/s: a 30 s test, ending when the tool exited.
    assert.equal(bucket!.durationMs, 30_000);
    assert.equal(bucket!.t, 1000);
  });

  it('gives whole-run figures to the one phase a run lay in', () => {
    const out = k6Adapter(fixture('k6-summary-export.json'), toolRun(0, 30_000, [{ phase: 'chaos', t: 40_000 }]));
    assert.equal(out.phases.length, 1);
    const [p] = out.phases;
    assert.equal(p!.phase, 'baseline');
    assert.equal(p!.errorRate, 0.01);
    assert.deepEqual(p!.latencyMs, { p50: 12.5, p90: 31.4, p95: 55, p99: 210.3, max: 412.9, mean: 18.2 });
  });

  it('reads handleSummary() data, with p99 falling back to max', () => {
    const out = k6Adapter(fixture('k6-handle-summary.json'), toolRun(0, 31_000, [{ phase: 'chaos', t: 60_000 }]));
    const [p] = out.phases;
    assert.equal(p!.requests, 16510);
    assert.equal(p!.errors, 330);
    assert.equal(p!.latencyMs!.p95, 60.5);
    assert.equal(p!.latencyMs!.p99, 1260);
    assert.equal(p!.endT - p!.startT, 30_018.4);
  });

  it('reads --out json points into exact per-phase figures', () => {
    const epoch0 = Date.parse('2026-11-22T06:00:00Z');
    const out = k6Adapter(fixture('k6-points.ndjson'), toolRun(epoch0, 3000, [{ phase: 'chaos', t: 1000 }, { phase: 'recovery', t: 2000 }]));
    assert.deepEqual(out.phases.map((p) => [p.phase, p.requests, p.errors]), [
      ['baseline', 10, 0],
      ['chaos', 10, 3],
      ['recovery', 10, 0],
    ]);
    const chaos = out.phases[1]!;
    assert.equal(chaos.statusCodes['503'], 2);
    assert.equal(chaos.statusCodes['k6-1211'], 1);
    assert.ok(Math.abs(chaos.latencyMs!.p50 - 20) < 0.05);
    assert.ok(Math.abs(out.phases[0]!.latencyMs!.max - 5) < 0.01);
    assert.equal(out.buckets.length, 3);
  });

  it('says what it expected when the report is something else', () => {
    assert.throws(() => k6Adapter('{"foo": 1}', toolRun(0, 1)), /not a k6 summary/);
    assert.throws(() => k6Adapter('', toolRun(0, 1)), /empty/);
    assert.throws(() => k6Adapter('{"metrics": {}}', toolRun(0, 1)), /http_reqs/);
  });
});

describe('Artillery adapter (report from a real artillery 2.0.21 run)', () => {
  const report = fixture('artillery-report.json');
  const doc = JSON.parse(report) as { intermediate: { period: string }[] };
  const epoch0 = Number(doc.intermediate[0]!.period) + 1000;

  it('turns periods into buckets and phases', () => {
    // The tool started 1 s into its first 10 s period and ran 13 s; chaos began 9.5 s into the run.
    const out = artilleryAdapter(report, toolRun(epoch0, 13_000, [{ phase: 'chaos', t: 9500 }]));
    assert.equal(out.buckets.length, 2);
    assert.deepEqual(out.buckets.map((b) => [b.requests, b.errors]), [
      [340, 170],
      [140, 70],
    ]);
    assert.equal(out.buckets[0]!.t, 0);
    assert.equal(out.buckets[0]!.latencyMs!.p99, 6);
    // Periods go to the phase that holds their middle: [0, 9 s) → baseline, [9 s, 13 s) → chaos.
    assert.deepEqual(out.phases.map((p) => [p.phase, p.requests, p.errors]), [
      ['baseline', 340, 170],
      ['chaos', 140, 70],
    ]);
    assert.deepEqual(out.phases[0]!.statusCodes, { '200': 170, '500': 170 });
  });

  it('counts requests without a response as errors, by code', () => {
    const out = artilleryAdapter(fixture('artillery-refused.json'), toolRun(Number(doc.intermediate[0]!.period), 13_000));
    const [p] = out.phases;
    assert.equal(p!.requests, 240);
    assert.equal(p!.errors, 240);
    assert.deepEqual(p!.statusCodes, { ECONNREFUSED: 240 });
    assert.equal(p!.latencyMs, null);
  });

  it('rejects what is not an Artillery report', () => {
    assert.throws(() => artilleryAdapter('{"metrics": {}}', toolRun(0, 1)), /not an Artillery report/);
  });
});

describe('autocannon adapter', () => {
  it('reads --json output (real autocannon 9 output)', () => {
    const out = autocannonAdapter(`Running 2s test\n${fixture('autocannon.json')}`, toolRun(0, 2500, [{ phase: 'chaos', t: 5000 }]));
    const [p] = out.phases;
    assert.equal(p!.requests, 35375);
    assert.equal(p!.errors, 0);
    assert.deepEqual(p!.statusCodes, { '200': 35375 });
    // p95 between autocannon's p90 (0) and p97.5 (1).
    assert.equal(p!.latencyMs!.p95, 0.667);
    assert.equal(p!.latencyMs!.p99, 2);
  });

  it('tells no output from output without --json', () => {
    assert.throws(() => autocannonAdapter('', toolRun(0, 1)), /^Error: autocannon printed no result \(it prints one only when its run completes\)$/);
    assert.throws(() => autocannonAdapter('Running 2s test\n│ Stat │ 2.5% │', toolRun(0, 1)), /no JSON result \(run it with --json\)/);
  });
});

describe('external load command', () => {
  let srv: CountingServer;
  before(async () => {
    srv = await startServer();
  });
  after(() => srv.close());

  it('runs autocannon alongside and reads its figures', async () => {
    const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
    const run = startLoad({ command: [process.execPath, bin, '--json', '-c', '2', '-d', '1', srv.url], format: 'autocannon', graceMs: 5000 });
    await run.ended;
    const record = await run.stop();
    assert.equal(record.error, undefined, record.command?.output);
    assert.equal(record.tool, 'autocannon');
    assert.equal(record.command!.exitCode, 0);
    assert.equal(record.phases.length, 1);
    const received = srv.count;
    // autocannon stops without waiting for requests in flight: at most one per connection is missing.
    assert.ok(record.phases[0]!.requests >= received - 2 && record.phases[0]!.requests <= received, `${record.phases[0]!.requests} vs ${received}`);
    assert.ok(record.phases[0]!.latencyMs !== null);
  });

  it('says the run ended first when it stopped autocannon before autocannon printed its result', async () => {
    const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
    const run = startLoad({ command: [process.execPath, bin, '--json', '-c', '1', '-d', '30', srv.url], format: 'autocannon', graceMs: 5000 });
    await new Promise((r) => setTimeout(r, 500));
    const record = await run.stop();
    assert.match(
      record.error!,
      /^autocannon was still running when the run ended \(\d+\.\ds after it started\), so faultline stopped it with SIGINT, and it exited with a signal without a complete report: autocannon printed no result \(it prints one only when its run completes\)\. Give the tool a test duration that ends within the run$/,
    );
  });

  it('says the run was aborted, and that the tool was killed after its grace, when it ignored SIGINT', async () => {
    const controller = new AbortController();
    const run = startLoad({ command: "trap '' INT; sleep 30", format: 'k6', graceMs: 200 }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 200));
    controller.abort();
    const record = await run.stop();
    assert.match(record.error!, /^k6 was still running when the run was aborted \(.*\), so faultline stopped it with SIGINT, then SIGKILL after load\.grace 200ms, and it exited with a signal without a complete report: the k6 report is empty\. .*, or a longer load\.grace$/);
  });

  it('interrupts a tool still running at stop() and keeps its output', async () => {
    const run = startLoad({ command: 'echo starting; trap "echo interrupted; exit 130" INT; while :; do sleep 0.05; done', format: 'none', graceMs: 5000 });
    await new Promise((r) => setTimeout(r, 300));
    const record = await run.stop();
    assert.equal(record.tool, 'command');
    assert.match(record.command!.output, /starting/);
    assert.match(record.error!, /exited with (code 130|a signal)/);
  });

  it('records a command that fails, with its exit code and output', async () => {
    const run = startLoad({ command: 'echo no script here >&2; exit 3', format: 'k6', graceMs: 1000 });
    await run.ended;
    const record = await run.stop();
    assert.equal(record.command!.exitCode, 3);
    assert.match(record.command!.output, /no script here/);
    assert.match(record.error!, /could not read the k6 report from its standard output \(the command exited with code 3\): the k6 report is empty/);
  });

  it('records a command that cannot start', async () => {
    const run = startLoad({ command: ['/nonexistent/k6', 'run'], format: 'k6', graceMs: 1000 });
    await run.ended;
    const record = await run.stop();
    assert.match(record.error!, /could not start the load command "\/nonexistent\/k6": .*ENOENT/);
    assert.equal(record.command!.exitCode, null);
  });

  it('fills {report} with a file the adapter then reads', async () => {
    const summary = fixture('k6-summary-export.json').replace(/'/g, '');
    const run = startLoad({ command: `cat > {report} <<'EOF'\n${summary}\nEOF`, format: 'k6', graceMs: 1000 });
    await run.ended;
    const record = await run.stop();
    assert.equal(record.error, undefined);
    assert.equal(record.buckets[0]!.requests, 1200);
    assert.doesNotMatch(record.command!.argv.join(' '), /\{report\}/);
  });
});
