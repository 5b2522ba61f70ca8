// History identity (issue 14, item 17): `random` is one experiment whose runs compare only with
// runs that hit the same service; a catalog key carries the resolved parameters.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { catalogKey, historyEntryFor, recordRun } from '../../src/history/index.js';
import type { Journal } from '../../src/journal/types.js';
import { fault, journalFrom } from '../analysis/journal-builder.js';
import { tempDir } from '../helpers/cli.js';

const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

/** `service` down for `down` probes of 100 ms after a kill at t=1000. */
function randomRun(runId: string, service: string, down: number): Journal {
  const pattern = [...Array(40)].map((_, i) => (i >= 11 && i < 11 + down ? 'x' : 'o')).join('');
  const title = 'kill a random service (api, db)';
  return { ...journalFrom({ health: { [service]: pattern }, faults: [fault(service, 1000)], within: 5000 }), runId, title, experimentFile: `faultline ${title}` };
}

test('random: one key whatever the candidates, the target recorded, compared only with the same target', async () => {
  const { path: root, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const stateDir = `${root}/.faultline`;
  const identity = (j: Journal) => ({ key: 'faultline random', target: j.faults[0]!.service });
  const slowDb = randomRun('r1', 'db', 20);
  await recordRun(stateDir, slowDb, { identity: identity(slowDb) });
  const fastApi = randomRun('r2', 'api', 2);
  const second = await recordRun(stateDir, fastApi, { identity: identity(fastApi), failOnRegression: true });
  assert.equal(second.entry.key, 'faultline random');
  assert.equal(second.entry.target, 'api');
  assert.equal(second.previous, undefined, 'a run that hit api is not compared with one that hit db');
  const slowApi = randomRun('r3', 'api', 20);
  const third = await recordRun(stateDir, slowApi, { identity: identity(slowApi), failOnRegression: true });
  assert.equal(third.previous?.runId, 'r2');
  assert.equal(third.regressions[0]?.kind, 'time-to-recover');
  assert.equal(third.exitCode, 1);
  assert.deepEqual(third.entry.gate, { enforced: true, previousRunId: 'r2', regressions: [third.regressions[0]!.message], exitCode: 1 });
});

test('a catalog key: template, parameters sorted, then the title; the journal may name the template as an absolute path', () => {
  assert.equal(catalogKey('catalog:service-kill', { within: '10s', target: 'api' }, 'Killing api'), 'catalog:service-kill target=api within=10s · Killing api');
  const j = { ...journalFrom({ health: { api: 'oooo' }, faults: [fault('api', 100)], within: 5000 }), title: 'Killing api', experimentFile: '/project/catalog:service-kill' };
  assert.equal(historyEntryFor(j, { projectDir: '/project', identity: { parameters: { signal: 'SIGTERM', target: 'api' } } }).key, 'catalog:service-kill signal=SIGTERM target=api · Killing api');
  assert.equal(historyEntryFor(j, { projectDir: '/project' }).key, 'catalog:service-kill · Killing api');
});
