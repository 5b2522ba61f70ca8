/**
 * Runs the shop's resilience suite with the real, built CLI (`node bin/faultline.js run FILE`)
 * against one build, one experiment per test, and checks each verdict against what the suite
 * expects of that build. Every experiment of the suite is included (all sets: quick, default,
 * extended), with the fault proxy and under load where the experiment says so.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { writeShopFiles } from '../../src/demo/files.js';
import type { ShopMode } from '../../src/demo/shop/topology.js';
import type { Journal } from '../../src/journal/types.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { inShard, shardLabel, type Shard } from '../helpers/shard.js';
import { freeBasePort } from './helpers.js';

export function describeSuiteRuns(mode: ShopMode, shard?: Shard): void {
  const cleanups: (() => Promise<void>)[] = [];
  after(() => Promise.all(cleanups.map((c) => c())));

  describe(`the resilience suite against the ${mode} build, with the real CLI${shardLabel(shard)}`, async () => {
    const dir = await tempDir(`faultline-suite-${mode}-`);
    const state = await tempDir();
    cleanups.push(dir.cleanup, state.cleanup);
    const basePort = await freeBasePort();
    // Compiled services: what an installed package runs (npm test builds first).
    const files = await writeShopFiles(dir.path, { mode, basePort, dataDir: join(dir.path, 'data'), runtime: 'compiled', set: 'all' });

    for (const { entry, file } of inShard(files.experiments, shard)) {
      const expected = entry.expected[mode];
      test(`${entry.name}: ${expected} (${entry.shows})`, async () => {
        const out = join(dir.path, `out-${entry.name}`);
        const res = await runCli(['run', file, '--report-dir', out], { cwd: dir.path, env: { FAULTLINE_STATE_DIR: state.path }, timeoutMs: 90_000 });
        assert.equal(res.code, expected === 'held' ? 0 : 1, res.stdout + res.stderr);
        const journal = JSON.parse(await readFile(join(out, 'journal.json'), 'utf8')) as Journal;
        assert.equal(journal.status, expected);
        assert.ok(journal.faults.length > 0 && journal.faults.every((f) => f.status === 'reverted'), 'every fault was applied and reverted');
        const gateway = journal.recovery.find((r) => r.service === 'gateway')!;
        if (mode === 'resilient') {
          assert.ok(journal.recovery.every((r) => r.met !== false), 'every service recovered in time');
          assert.equal(gateway.impacted, false, 'the public API stayed healthy: the failure was contained');
          for (const f of journal.faults.filter((x) => x.kind === 'kill')) {
            assert.ok(journal.recovery.find((r) => r.service === f.service)!.restarts >= 1, `${f.service} was restarted by the supervisor`);
          }
        } else {
          // The gateway itself is never faulted (a proxy fault on gateway.catalog is on its link to catalog).
          assert.ok(journal.faults.every((f) => f.service !== 'gateway' || f.driver === 'proxy'), 'no fault on the gateway itself');
          assert.equal(gateway.impacted, true, 'the failure spread up to the public API');
          for (const f of journal.faults.filter((x) => x.kind === 'kill')) {
            const r = journal.recovery.find((x) => x.service === f.service)!;
            assert.equal(r.restarts, 0, `nothing restarted ${f.service}`);
            assert.equal(r.met, false, `${f.service} never came back`);
          }
        }
      });
    }
  });
}
