import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TimeSeries, type Sample } from '../../src/observe/time-series.js';

const s = (series: string, t: number, ok = true): Sample => ({ t, series, ok, latencyMs: 1, observed: ok ? 'status 200 in 1ms' : 'ECONNREFUSED after 1ms' });

describe('TimeSeries', () => {
  it('measures time from its origin on the monotonic clock', () => {
    const origin = performance.now() - 1000;
    const ts = new TimeSeries(origin);
    const now = ts.now();
    assert.ok(now >= 1000 && now <= performance.now() - origin, `now ${now}`);
    assert.equal(ts.fromMono(origin + 250), 250);
    // startedAt is the origin on the wall clock: the offset between the two clocks, read at one
    // instant (not two readings a scheduler pause apart), plus the origin.
    const wallAtOrigin = Date.now() - performance.now() + origin;
    assert.ok(Math.abs(ts.startedAt - wallAtOrigin) < 5, `startedAt ${ts.startedAt}, expected ${wallAtOrigin}`);
  });

  it('keeps samples in time order, per series and overall', () => {
    const ts = new TimeSeries();
    ts.record(s('service:api', 100));
    ts.record(s('service:db', 50));
    ts.record(s('service:api', 300));
    ts.record(s('service:api', 200, false)); // a late arrival
    assert.deepEqual(ts.samples('service:api').map((x) => x.t), [100, 200, 300]);
    assert.deepEqual(ts.samples().map((x) => `${x.series}@${x.t}`), ['service:db@50', 'service:api@100', 'service:api@200', 'service:api@300']);
    assert.deepEqual(ts.seriesNames(), ['service:api', 'service:db']);
    assert.deepEqual(ts.samples('nope'), []);
  });

  it('returns copies', () => {
    const ts = new TimeSeries();
    ts.record(s('a', 1));
    ts.samples('a').pop();
    assert.equal(ts.samples('a').length, 1);
  });

  it('tells listeners about each sample until they unsubscribe', () => {
    const ts = new TimeSeries();
    const seen: number[] = [];
    const off = ts.onSample((x) => seen.push(x.t));
    const once = ts.onSample(() => once()); // unsubscribing inside the call is fine
    ts.record(s('a', 1));
    off();
    ts.record(s('a', 2));
    assert.deepEqual(seen, [1]);
  });

  it('round-trips through JSON', () => {
    const ts = new TimeSeries();
    ts.record(s('a', 1));
    ts.record({ ...s('b', 2, false), error: 'ECONNREFUSED' });
    const json = JSON.parse(JSON.stringify(ts));
    const back = TimeSeries.fromJSON(json);
    assert.equal(back.startedAt, ts.startedAt);
    assert.deepEqual(back.samples(), ts.samples());
  });
});
