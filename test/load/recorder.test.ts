import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoadRecorder } from '../../src/load/recorder.js';
import { weightedOrder } from '../../src/load/mix.js';
import { parseRate } from '../../src/load/rate.js';

describe('LoadRecorder', () => {
  it('recent(): the last window of buckets, the open bucket, and outstanding requests at their age', () => {
    const rec = new LoadRecorder({ okStatus: ['2xx'], startT: 0, keepRecentMs: 2000 });
    for (let i = 0; i < 100; i++) rec.response(500, 900); // old, slow, failing: must fall out of the window
    rec.rotate(1000);
    for (let i = 0; i < 100; i++) rec.response(200, 10);
    rec.rotate(2000);
    for (let i = 0; i < 50; i++) rec.response(200, 20);
    rec.failure('ECONNREFUSED');
    const lastSecond = rec.recent(1000, 2500, []);
    assert.deepEqual([lastSecond.requests, lastSecond.errors], [151, 1], 'the bucket that ended at 1000 is outside (1500, 2500]');
    assert.ok(lastSecond.p95Ms! >= 19.9 && lastSecond.p95Ms! <= 20.1, `p95 ${lastSecond.p95Ms}`);
    const all = rec.recent(3000, 2500, []);
    assert.deepEqual([all.requests, all.errors], [251, 101]);
    // 20 requests stuck for 700 ms out of 170: more than 5%, so the p95 is the stall's age.
    const stalled = rec.recent(1000, 2500, Array.from({ length: 20 }, () => 700));
    assert.equal(stalled.requests, 151, 'outstanding requests are not completed ones');
    assert.ok(stalled.p95Ms! >= 699 && stalled.p95Ms! <= 701, `p95 ${stalled.p95Ms}`);
    assert.equal(new LoadRecorder({ okStatus: ['2xx'], startT: 0 }).recent(1000, 10, []).p95Ms, null);
  });

  it('counts failures and unanswered requests as errors with their latency, and leaves the unanswered out of rps', () => {
    const rec = new LoadRecorder({ okStatus: ['2xx'], startT: 0 });
    for (let i = 0; i < 6; i++) rec.response(200, 10);
    rec.failure('timeout', 5000);
    rec.unanswered('cut-off', 3000);
    rec.unanswered('not-sent', 2000);
    rec.unanswered('not-sent', 1000);
    const { phases, buckets } = rec.finish(2000);
    const [p] = phases;
    assert.equal(p!.requests, 10);
    assert.equal(p!.errors, 4);
    assert.deepEqual(p!.statusCodes, { '200': 6, 'cut-off': 1, 'not-sent': 2, timeout: 1 });
    // 7 requests completed in 2 s; the 3 never answered are not throughput.
    assert.equal(p!.rps, 3.5);
    assert.ok(Math.abs(p!.latencyMs!.max - 5000) <= 5, `max ${p!.latencyMs!.max}`);
    assert.ok(Math.abs(p!.latencyMs!.p90 - 3000) <= 3, `p90 ${p!.latencyMs!.p90}`);
    assert.equal(buckets[0]!.requests, 10);
  });

  it('gives percentiles within 0.1% of the recorded latencies', () => {
    const rec = new LoadRecorder({ okStatus: ['2xx'], startT: 0 });
    for (let i = 1; i <= 1000; i++) rec.response(200, i / 10); // 0.1 .. 100 ms
    const { phases, total } = rec.finish(1000);
    const l = phases[0]!.latencyMs!;
    const near = (got: number, want: number) => assert.ok(Math.abs(got - want) <= want * 0.001 + 0.001, `${got} vs ${want}`);
    near(l.p50, 50);
    near(l.p90, 90);
    near(l.p95, 95);
    near(l.p99, 99);
    near(l.max, 100);
    near(l.mean, 50.05);
    assert.equal(phases[0]!.rps, 1000);
    assert.equal(total.requests, 1000);
  });

  it('keeps buckets, phases and status codes apart', () => {
    const rec = new LoadRecorder({ okStatus: ['2xx', 404], startT: 100 });
    rec.response(200, 1);
    rec.response(404, 2);
    rec.rotate(1100);
    rec.response(503, 3);
    rec.failure('ECONNREFUSED');
    rec.mark('chaos', 1600);
    rec.response(200, 400);
    rec.mark('recovery', 2100);
    const { phases, buckets, total } = rec.finish(2600);
    assert.deepEqual(
      buckets.map((b) => [b.t, b.durationMs, b.requests, b.errors]),
      [
        [100, 1000, 2, 0],
        [1100, 500, 2, 2],
        [1600, 500, 1, 0],
        [2100, 500, 0, 0],
      ],
    );
    assert.equal(buckets[1]!.latencyMs!.max, 3);
    assert.deepEqual(
      phases.map((p) => [p.phase, p.startT, p.endT, p.requests, p.errors]),
      [
        ['baseline', 100, 1600, 4, 2],
        ['chaos', 1600, 2100, 1, 0],
        ['recovery', 2100, 2600, 0, 0],
      ],
    );
    assert.deepEqual(phases[0]!.statusCodes, { '200': 1, '404': 1, '503': 1, ECONNREFUSED: 1 });
    assert.equal(phases[0]!.errorRate, 0.5);
    assert.equal(phases[2]!.errorRate, null);
    assert.equal(phases[2]!.latencyMs, null);
    assert.ok(Math.abs(phases[1]!.latencyMs!.p50 - 400) <= 0.4);
    assert.equal(total.requests, 5);
    assert.deepEqual(total.statusCodes, { '200': 2, '404': 1, '503': 1, ECONNREFUSED: 1 });
  });
});

describe('weightedOrder', () => {
  it('picks each request exactly its weight per cycle, interleaved', () => {
    const order = [...weightedOrder([3, 1])];
    assert.equal(order.length, 4);
    assert.equal(order.filter((i) => i === 0).length, 3);
    const five = [...weightedOrder([5, 1, 1])];
    assert.deepEqual(five, [0, 0, 1, 0, 2, 0, 0]);
  });
});

describe('parseRate', () => {
  it('reads per second, minute and hour', () => {
    assert.equal(parseRate('500/s'), 500);
    assert.equal(parseRate('60/m'), 1);
    assert.equal(parseRate('3600/h'), 1);
    assert.equal(parseRate('250'), 250);
    assert.equal(parseRate(12.5), 12.5);
    for (const bad of ['fast', '0/s', '-1/s', '5/fortnight', '', '/s']) assert.equal(parseRate(bad), undefined, bad);
  });
});
