// The dashboard's reporter: each run hook becomes one event naming its run, with the retention
// the page needs (a fault's revert replaces its injection); secrets are redacted as in reports;
// the run's end carries the verdict from the journal and a link to the report it registers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Journal } from '../../src/journal/types.js';
import { DashboardReporter } from '../../src/web-dashboard/dashboard-reporter.js';
import { EventStore, type Retention } from '../../src/web-dashboard/event-store.js';

function sink() {
  const store = new EventStore();
  const files = new Map<string, string>();
  return {
    store,
    files,
    publish: (type: string, data: unknown, retention?: Retention) => void store.publish(type, data, retention),
    addFile: (name: string, path: string) => (files.set(name, path), `files/${name}`),
    events: () => store.since(0).events.map((e) => ({ type: e.type, data: JSON.parse(e.data) as Record<string, unknown> })),
  };
}

test('hooks become events of the run, a fault replaced by its revert, secrets redacted', () => {
  const s = sink();
  const r = new DashboardReporter(s);
  r.onRunStart({ runId: 'r1', title: 't', experimentFile: 'e.yaml', systemFile: 's.yaml', startedAt: '2026-12-05T00:00:00.000Z', services: ['api'] });
  r.onPhase('method', 1234.567);
  const fault = { id: 'f1', kind: 'http-error', driver: 'proxy', service: 'api', target: 'api.db', params: { headers: { Authorization: 'Bearer s3cret' } }, status: 'active' as const, injectedAt: '', injectedT: 1300 };
  r.onFaultInjected(fault);
  r.onSample({ series: 'service:api', t: 1400.4, ok: false, latencyMs: 12.345, observed: 'GET https://u:hunter2@api.local/ failed', error: 'boom' });
  r.onFaultReverted({ ...fault, status: 'reverted', revertedT: 2000 });
  const events = s.events();
  assert.deepEqual(events.map((e) => e.type), ['run-start', 'phase', 'sample', 'fault']);
  assert.ok(events.every((e) => e.data.runId === 'r1'));
  assert.deepEqual(events[1]!.data, { runId: 'r1', phase: 'method', t: 1235 });
  assert.deepEqual(events[2]!.data, { runId: 'r1', series: 'service:api', ok: false, latencyMs: 12.3, t: 1400, observed: 'GET https://u:[redacted]@api.local/ failed' });
  assert.equal(events[3]!.data.status, 'reverted');
  assert.deepEqual(events[3]!.data.params, { headers: { Authorization: '[redacted]' } });
});

test('the run end carries the journal\'s verdict and the link to the report it registers', () => {
  const s = sink();
  const r = new DashboardReporter(s, () => '/tmp/x/report.html');
  r.onRunStart({ runId: 'r2', title: 't', experimentFile: 'e.yaml', systemFile: 's.yaml', startedAt: '' });
  r.onRunEnd({ runId: 'r2', status: 'deviated', exitCode: 1, reasons: ['api did not recover within 5s'], durationMs: 9000, endedAt: 'x', verdicts: [{ name: 'recovery of api', kind: 'recovery', ok: false, observed: 'not recovered', expected: 'within 5s', t: 1 }], recovery: [] } as unknown as Journal);
  const end = s.events().at(-1)!;
  assert.equal(end.type, 'run-end');
  assert.equal(end.data.status, 'deviated');
  assert.equal(end.data.exitCode, 1);
  assert.equal(end.data.report, 'files/r2.html');
  assert.equal(s.files.get('r2.html'), '/tmp/x/report.html');
  const none = sink();
  const without = new DashboardReporter(none, () => undefined);
  without.onRunEnd({ runId: 'r3', status: 'held', exitCode: 0, reasons: [], durationMs: 1, endedAt: 'x', verdicts: [], recovery: [] } as unknown as Journal);
  assert.equal(none.events()[0]!.data.report, undefined, 'no report written: no link');
});
