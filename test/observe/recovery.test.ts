import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeRecovery, availability, endsHealthy, firstSustainedHealthy } from '../../src/observe/recovery.js';

/** Samples every 100ms from t=0: '+' ok, '-' failed. */
function series(pattern: string, step = 100): { t: number; ok: boolean }[] {
  return [...pattern].map((c, i) => ({ t: i * step, ok: c === '+' }));
}

describe('analyzeRecovery', () => {
  it('measures impact, recovery and outage', () => {
    //                       0123456789
    const samples = series('+++---++++');
    // Fault injected at 250 (instant, e.g. kill): first failure at 300, last at 500, healthy from 600.
    assert.deepEqual(analyzeRecovery(samples, { faultStart: 250, faultEnd: 250, sustained: 3 }), {
      impacted: true,
      impactAt: 300,
      timeToImpactMs: 50,
      recoveredAt: 600,
      timeToRecoverMs: 350,
      outageMs: 300,
      failedSamples: 3,
    });
  });

  it('never impacted', () => {
    assert.deepEqual(analyzeRecovery(series('++++++'), { faultStart: 100, faultEnd: 300, sustained: 2 }), {
      impacted: false,
      impactAt: null,
      timeToImpactMs: null,
      recoveredAt: null,
      timeToRecoverMs: null,
      outageMs: null,
      failedSamples: 0,
    });
  });

  it('ignores failures before the fault', () => {
    const r = analyzeRecovery(series('--++++'), { faultStart: 200, faultEnd: 200, sustained: 2 });
    assert.equal(r.impacted, false);
  });

  it('never recovered', () => {
    const r = analyzeRecovery(series('++----'), { faultStart: 100, faultEnd: 100, sustained: 2 });
    assert.deepEqual([r.impacted, r.impactAt, r.recoveredAt, r.timeToRecoverMs, r.outageMs, r.failedSamples], [true, 200, null, null, null, 4]);
  });

  it('not sustained long enough before the samples end', () => {
    const r = analyzeRecovery(series('+--++'), { faultStart: 0, faultEnd: 0, sustained: 3 });
    assert.equal(r.recoveredAt, null);
    assert.equal(analyzeRecovery(series('+--++'), { faultStart: 0, faultEnd: 0, sustained: 2 }).recoveredAt, 300);
  });

  it('flapping before sustained health counts from the last failure', () => {
    //                       0123456789012
    const samples = series('+--++-+-+++++');
    const r = analyzeRecovery(samples, { faultStart: 50, faultEnd: 50, sustained: 3 });
    assert.deepEqual([r.impactAt, r.recoveredAt, r.failedSamples, r.outageMs, r.timeToRecoverMs], [100, 800, 4, 700, 750]);
  });

  it('a run of healthy samples followed by a failure does not count', () => {
    const r = analyzeRecovery(series('+-+++-++'), { faultStart: 0, faultEnd: 0, sustained: 3 });
    assert.equal(r.recoveredAt, null);
  });

  it('floors time to recover at zero when health returns before the fault ends', () => {
    const r = analyzeRecovery(series('+-++++++'), { faultStart: 0, faultEnd: 600, sustained: 2 });
    assert.deepEqual([r.recoveredAt, r.timeToRecoverMs, r.outageMs], [200, 0, 100]);
  });

  it('a probe that waited through the revert counts from its answer, not from when it was sent', () => {
    // Paused until 600: the probe sent at 500 hangs until the revert and is answered at 610.
    const samples = [
      { t: 0, ok: true, latencyMs: 5 },
      { t: 100, ok: false, latencyMs: 300 },
      { t: 500, ok: true, latencyMs: 110 },
      { t: 700, ok: true, latencyMs: 5 },
    ];
    const r = analyzeRecovery(samples, { faultStart: 50, faultEnd: 600, sustained: 2 });
    assert.deepEqual([r.recoveredAt, r.timeToRecoverMs], [610, 10]);
  });

  it('ignores samples after the deadline', () => {
    const samples = series('+--+++');
    assert.equal(analyzeRecovery(samples, { faultStart: 0, faultEnd: 0, sustained: 3, deadline: 400 }).recoveredAt, null);
    assert.equal(analyzeRecovery(samples, { faultStart: 0, faultEnd: 0, sustained: 3, deadline: 500 }).recoveredAt, 300);
  });

  it('treats sustained below 1 as 1 and accepts samples out of order', () => {
    const samples = series('+-+').reverse();
    assert.equal(analyzeRecovery(samples, { faultStart: 0, faultEnd: 0, sustained: 0 }).recoveredAt, 200);
  });

  it('handles no samples at all', () => {
    assert.equal(analyzeRecovery([], { faultStart: 0, faultEnd: 0, sustained: 3 }).impacted, false);
  });
});

describe('firstSustainedHealthy', () => {
  it('finds the first run of consecutive ok samples from a time on', () => {
    //                       0123456789
    const samples = series('--++-+++--');
    assert.equal(firstSustainedHealthy(samples, 0, 3), 500);
    assert.equal(firstSustainedHealthy(samples, 0, 2), 200);
    assert.equal(firstSustainedHealthy(samples, 600, 2), 600);
    assert.equal(firstSustainedHealthy(samples, 0, 4), null);
    assert.equal(firstSustainedHealthy([], 0, 1), null);
  });
});

describe('endsHealthy', () => {
  it('holds only when the series ends in enough ok samples, as analyzeRecovery counts recovery', () => {
    //                       0123456789
    const samples = series('--+++---++');
    assert.equal(endsHealthy(samples, 0, 3), false, 'a healthy run followed by failures is not a recovery');
    assert.equal(analyzeRecovery(samples, { faultStart: 0, faultEnd: 0, sustained: 3 }).recoveredAt, null);
    assert.equal(endsHealthy(samples, 0, 2), true);
    assert.equal(analyzeRecovery(samples, { faultStart: 0, faultEnd: 0, sustained: 2 }).recoveredAt, 800);
    assert.equal(endsHealthy(samples, 900, 2), false, 'only samples from `from` on count');
    assert.equal(endsHealthy([], 0, 1), false);
  });
});

describe('availability', () => {
  it('is the share of ok samples in the window', () => {
    const samples = series('++--++++');
    assert.equal(availability(samples, 0, 700), 0.75);
    assert.equal(availability(samples, 200, 300), 0);
    assert.equal(availability(samples, 1000, 2000), null);
  });
});
