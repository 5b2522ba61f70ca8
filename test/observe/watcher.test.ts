import assert from 'node:assert/strict';
import type { RequestListener } from 'node:http';
import { after, describe, it } from 'node:test';
import { analyzeRecovery } from '../../src/observe/recovery.js';
import { TimeSeries } from '../../src/observe/time-series.js';
import { watch, type WatchClock } from '../../src/observe/watcher.js';
import { waitFor } from '../helpers/wait.js';
import { startHttpServer, type TestServer } from '../probes/http-server.js';

// Real timers: the cadence is what is under test. Tests wait for samples, never a fixed time, and
// upper bounds carry slack for a busy machine (a late timer); lower bounds are exact.
const SLACK_MS = 200;
const ok: RequestListener = (_req, res) => void res.end('ok');

describe('watch', () => {
  const servers: TestServer[] = [];
  const start = async (handler: RequestListener = ok, port = 0) => {
    const s = await startHttpServer(handler, port);
    servers.push(s);
    return s;
  };
  after(() => Promise.all(servers.map((s) => s.close())));

  it('probes on a fixed start-to-start cadence: a late wake-up does not push the schedule back; an overrun restarts it (virtual clock)', async () => {
    // The schedule is logic: a virtual clock makes it exact. Wake-up 3 comes 30 ms late, wake-up 6
    // 250 ms late (past the next slot too).
    let now = 0;
    let wakes = 0;
    const lateness = new Map([
      [3, 30],
      [6, 250],
    ]);
    const clock: WatchClock = {
      now: () => now,
      sleep: async (ms) => {
        now += ms + (lateness.get(++wakes) ?? 0);
        await new Promise((resolve) => setImmediate(resolve));
      },
    };
    const ts = new TimeSeries(0);
    const w = watch({ series: 'cmd', call: { command: 'true' }, interval: 100, timeSeries: ts, defaultTimeout: 10_000, clock });
    await waitFor(() => ts.samples('cmd').length >= 10, { what: '10 samples' });
    await w.stop();
    const t = ts.samples('cmd').map((x) => x.t).slice(0, 10);
    // 330: late, but the next is back on its slot (400). 850: the slots at 600 and 700 are gone; the
    // probe for 600 runs at once and so does one more (not one per missed slot), then every 100 ms.
    assert.deepEqual(t, [0, 100, 200, 330, 400, 500, 850, 850, 950, 1050]);
    assert.ok(ts.samples().every((x) => x.ok));
  });

  it('probes on the real clock at about the interval', async () => {
    const srv = await start();
    const ts = new TimeSeries();
    const w = watch({ series: 'service:api', call: { http: srv.url }, interval: 100, timeSeries: ts, defaultTimeout: 5000 });
    await waitFor(() => ts.samples('service:api').length >= 10, { what: '10 samples' });
    await w.stop();
    const t = ts.samples('service:api').map((x) => x.t);
    const gaps = t.slice(1).map((x, i) => x - t[i]!);
    // No probe starts before its slot, so the mean gap is at least the interval, exactly; the median
    // stays near it (a busy machine delays a few probes, not the schedule).
    const mean = (t.at(-1)! - t[0]!) / gaps.length;
    const median = [...gaps].sort((x, y) => x - y)[Math.floor(gaps.length / 2)]!;
    assert.ok(mean >= 95, `mean gap ${mean}, gaps ${gaps.join(',')}`);
    assert.ok(median <= 100 + SLACK_MS, `median gap ${median}, gaps ${gaps.join(',')}`);
    assert.ok(ts.samples().every((x) => x.ok && x.observed.startsWith('status 200')));
  });

  it('never overlaps probes and stamps each sample with its start time', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const srv = await start((_req, res) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      setTimeout(() => {
        inFlight--;
        res.end('slow');
      }, 250);
    });
    const ts = new TimeSeries();
    const lag: number[] = [];
    ts.onSample((x) => lag.push(ts.now() - x.t));
    const w = watch({ series: 'slow', call: { http: srv.url }, interval: 50, timeSeries: ts, defaultTimeout: 2000 });
    await waitFor(() => ts.samples('slow').length >= 3, { what: '3 samples' });
    await w.stop();
    const t = ts.samples('slow').map((x) => x.t);
    assert.equal(maxInFlight, 1);
    for (let i = 1; i < t.length; i++) assert.ok(t[i]! - t[i - 1]! >= 240, `gap ${t[i]! - t[i - 1]!}`);
    // Recorded ~250ms after the stamp: the stamp is when the probe started, not when it ended.
    assert.ok(lag.every((ms) => ms >= 240), `lags ${lag.join(',')}`);
  });

  it('measures recovery within one interval of the real restart', async () => {
    const interval = 100;
    const srv = await start();
    const port = srv.port;
    const ts = new TimeSeries();
    const w = watch({ series: 'service:api', call: { http: `${srv.url}/health` }, interval, timeSeries: ts, defaultTimeout: 5000 });
    const samples = () => ts.samples('service:api');
    await waitFor(() => samples().length >= 3, { what: '3 healthy samples' });
    const killedAt = ts.now();
    await srv.close();
    await waitFor(() => samples().filter((x) => !x.ok).length >= 3, { what: '3 failed samples after the close' });
    await start(ok, port);
    const restartedAt = ts.now();
    await waitFor(() => samples().filter((x) => x.t > restartedAt && x.ok).length >= 4, { what: '4 healthy samples after the restart' });
    await w.stop();

    const r = analyzeRecovery(samples(), { faultStart: killedAt, faultEnd: killedAt, sustained: 3 });
    assert.equal(r.impacted, true);
    assert.ok(r.impactAt! - killedAt <= interval + SLACK_MS, `impact detected ${r.impactAt! - killedAt}ms after the kill`);
    assert.ok(r.recoveredAt !== null, 'never recovered');
    const late = r.recoveredAt! - restartedAt;
    // The first probe after listen() comes at most one interval later (slack for a slow timer).
    assert.ok(late >= -10 && late <= interval + SLACK_MS, `recovered ${late}ms after the restart`);
    assert.ok(Math.abs(r.timeToRecoverMs! - (restartedAt - killedAt)) <= interval + SLACK_MS, `time to recover ${r.timeToRecoverMs}ms, real ${restartedAt - killedAt}ms`);
    // Refused while it is down; a probe in flight at the close may see its connection reset instead.
    const [first, ...rest] = samples().filter((x) => !x.ok);
    assert.ok(first && ['ECONNREFUSED', 'ECONNRESET'].includes(first.error ?? ''), `${first?.observed}`);
    assert.ok(rest.every((x) => x.error === 'ECONNREFUSED' && x.observed.startsWith('ECONNREFUSED')), rest.map((x) => x.observed).join('; '));
  });

  it('stops promptly on abort and drops the probe it cut short', async () => {
    let hanging = 0;
    const srv = await start((req, res) => {
      if (req.url === '/ok') res.end('ok');
      else hanging++;
    }); // /hang never answers
    const ts = new TimeSeries();
    const controller = new AbortController();
    const w = watch({ series: 'hang', call: { http: `${srv.url}/hang` }, interval: 50, timeSeries: ts, signal: controller.signal, defaultTimeout: 10_000 });
    await waitFor(() => hanging > 0, { what: 'the probe to be in flight' });
    const started = performance.now();
    controller.abort();
    await w.stop();
    // Promptly: long before the probe's own 10 s timeout would have ended it.
    assert.ok(performance.now() - started < 2000, `stopped ${performance.now() - started}ms after the abort`);
    assert.equal(ts.samples('hang').length, 0);
  });

  it('records nothing when the signal is already aborted', async () => {
    const ts = new TimeSeries();
    const w = watch({ series: 'x', call: { command: 'true' }, interval: 10, timeSeries: ts, signal: AbortSignal.abort(), defaultTimeout: 1000 });
    await w.stop();
    assert.equal(ts.samples().length, 0);
  });

  it('records tolerance failures with observed text', async () => {
    const ts = new TimeSeries();
    const w = watch({ series: 'cmd', call: { command: "sh -c 'exit 3'" }, expect: { exitCode: 0 }, interval: 50, timeSeries: ts, defaultTimeout: 2000 });
    await waitFor(() => ts.samples('cmd').length > 0, { what: 'a sample', intervalMs: 10 });
    await w.stop();
    const [first] = ts.samples('cmd');
    assert.equal(first!.ok, false);
    assert.match(first!.observed, /^exit 3 in \d+ms$/);
    assert.equal(first!.error, undefined);
  });

  it('throws at once for a malformed call', () => {
    assert.throws(() => watch({ series: 'x', call: {}, interval: 10, timeSeries: new TimeSeries(), defaultTimeout: 10 }), /expected one of http, tcp, command, metrics, prometheus or kubernetes/);
  });
});
