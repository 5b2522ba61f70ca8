// Every request due is in the figures once, against servers that count what they receive, so the
// truth is known by construction: requests = what the server received + what never reached it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { slosSchema } from '../../src/experiment/schema/load.js';
import { startLoad } from '../../src/load/start-load.js';
import { evaluateSlos } from '../../src/observe/slo.js';
import { renderHtml } from '../../src/reporters/html/render-html.js';
import { renderMarkdown } from '../../src/reporters/markdown.js';
import { fault, journalFrom } from '../analysis/journal-builder.js';
import { sleep } from '../../src/util/sleep.js';
import { startHoldingServer, startServer, type CountingServer } from './servers.js';
import { request, spec } from './spec-helpers.js';

describe('built-in load: achieved rate', () => {
  let srv: CountingServer;
  before(async () => {
    srv = await startServer();
  });
  after(() => srv.close());

  it('divides the requests sent by the window they were due in (5/s for 2 s is 5/s, not 10 / 1.8 s)', async () => {
    const start = srv.count;
    const run = startLoad(spec(srv.url, { rate: 5, connections: 2, durationMs: 2000 }));
    await run.ended;
    const record = await run.stop();
    assert.equal(srv.count - start, 10);
    assert.equal(record.phases[0]!.requests, 10);
    // Never above the rate asked for; a little below only when the last timer fired late.
    assert.ok(record.achievedRate! <= 5 && record.achievedRate! >= 4.5, `achieved ${record.achievedRate}`);
  });

  it('divides by the time the load ran when it is stopped early', async () => {
    const controller = new AbortController();
    const run = startLoad(spec(srv.url, { rate: 20, connections: 4, durationMs: 60_000 }), { signal: controller.signal });
    await sleep(500);
    controller.abort();
    await run.ended;
    const record = await run.stop();
    assert.ok(record.achievedRate! <= 20 && record.achievedRate! >= 16, `achieved ${record.achievedRate}`);
    assert.equal(record.notSent, 0);
  });
});

describe('built-in load: every request is counted', () => {
  it('open model against a server that holds every request: the held ones are cut off, the rest never sent', async () => {
    const srv = await startHoldingServer();
    try {
      // 50/s for 1 s: 50 requests due; 2 connections, each stuck on its first request.
      const run = startLoad(spec(srv.url, { rate: 50, connections: 2, durationMs: 1000, timeoutMs: 10_000 }));
      await run.ended;
      const record = await run.stop();
      const totals = run.totals()!;
      assert.equal(srv.count, 2, 'the server received one request per connection');
      assert.equal(record.cutOff, 2);
      assert.equal(record.notSent, 48);
      const [p] = record.phases;
      assert.equal(p!.requests, 50, 'every request due is reported');
      assert.equal(p!.requests, srv.count + record.notSent!, 'received by the server + never reached it');
      assert.equal(totals.sent, srv.count);
      assert.equal(p!.errors, 50);
      assert.deepEqual(p!.statusCodes, { 'cut-off': 2, 'not-sent': 48 });
      assert.equal(p!.rps, 0, 'nothing completed');
      assert.equal(record.buckets.reduce((n, b) => n + b.requests, 0), 50);
      // Ages by construction: request k was due at 20k ms and given up when sending stopped (>= 980 ms),
      // so the median never-sent request waited ~500 ms; the two held ones waited the 2 s drain and more.
      const l = p!.latencyMs!;
      assert.ok(l.p50 >= 450 && l.p50 < 1500, `p50 ${l.p50}`);
      assert.ok(l.max >= 2900, `max ${l.max}`);

      // SLO verdicts judge them, and say so.
      const [errorRate, p95, throughput] = evaluateSlos(slosSchema.parse([{ metric: 'errorRate', max: '1%', phase: 'baseline' }, { metric: 'p95', max: '300ms', phase: 'baseline' }, { metric: 'throughput', min: '1/s', phase: 'baseline' }]), record, 0);
      assert.equal(errorRate!.ok, false);
      assert.equal(errorRate!.observed, 'error rate 100% in baseline (counting 48 never sent and 2 cut off at the end)');
      assert.equal(p95!.ok, false);
      assert.match(p95!.observed, /^p95 \d+(\.\d+)?s? ?\S* in baseline \(counting 48 never sent and 2 cut off at the end\)$/);
      assert.equal(throughput!.ok, false, throughput!.observed);
    } finally {
      await srv.close();
    }
  });

  it('closed model against a server that stalls after 20 requests: answered + cut off = received', async () => {
    const srv = await startHoldingServer(20);
    try {
      const run = startLoad(spec(srv.url, { connections: 3, durationMs: 500, timeoutMs: 10_000 }));
      await run.ended;
      const record = await run.stop();
      assert.equal(srv.count, 23, '20 answered, then one held per connection');
      const [p] = record.phases;
      assert.equal(p!.requests, srv.count);
      assert.deepEqual(p!.statusCodes, { '200': 20, 'cut-off': 3 });
      assert.equal(p!.errors, 3);
      assert.equal(record.cutOff, 3);
      assert.equal(record.notSent, 0);
      assert.ok(p!.latencyMs!.max >= 2000, `max ${p!.latencyMs!.max}: the held requests waited the 2 s drain at least`);
    } finally {
      await srv.close();
    }
  });

  it('puts requests that time out into the latency figures, at the time they failed', async () => {
    const srv = await startHoldingServer();
    try {
      // undici checks timeouts about once a second: a 300 ms timeout fires after 0.3–1.3 s.
      const run = startLoad(spec(srv.url, { connections: 1, durationMs: 1500, timeoutMs: 300, requests: [request('/hang')] }));
      await run.ended;
      const record = await run.stop();
      const [p] = record.phases;
      assert.ok(p!.statusCodes.timeout! >= 1, JSON.stringify(p!.statusCodes));
      assert.equal(p!.requests, srv.count, 'each request reached the server and timed out or was cut off');
      assert.equal(p!.errors, p!.requests);
      assert.ok(p!.latencyMs !== null && p!.latencyMs.p50 >= 299, `latency ${JSON.stringify(p!.latencyMs)}`);
    } finally {
      await srv.close();
    }
  });
});

describe('reports of unanswered requests', () => {
  it('the Markdown and HTML reports say how many requests never reached the server and how many were cut off', () => {
    const j = journalFrom({ health: { api: 'oooooooo' }, faults: [fault('api', 200)] });
    j.load = { tool: 'builtin', phases: [], buckets: [], requestedRate: 50, achievedRate: 2, notSent: 48, cutOff: 2 };
    const sentence = 'Unanswered requests: 48 never sent (due, but no connection was free before the load stopped: they never reached the server); 2 sent but still unanswered when the load ended (cut off).';
    assert.ok(renderMarkdown(j).includes(sentence), renderMarkdown(j));
    assert.ok(renderHtml(j).includes(sentence.replace(/'/g, '&#39;')));
    j.load = { ...j.load, notSent: 0, cutOff: 0 };
    assert.ok(!renderMarkdown(j).includes('Unanswered'));
  });
});
