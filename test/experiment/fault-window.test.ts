// The fault window opens when the injection begins: a restart's outage starts with its stop, not
// when the new process is up. And a held fault's window closes when its revert returns, not after
// the ledger's fsync.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { after, before, describe, test } from 'node:test';
import { faultRegistry } from '../../src/drivers/index.js';
import { loadExperiment } from '../../src/experiment/loader/load-experiment.js';
import { runExperiment } from '../../src/experiment/runner/run-experiment.js';
import type { FaultKind } from '../../src/faults/types.js';
import { freePort, repoRoot, tempDir } from '../helpers/cli.js';
import { startFixture } from '../safety/helpers.js';

const kinds = faultRegistry();
const service = join(repoRoot, 'test/fixtures/service.mjs');

describe('fault windows', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let port: number;

  before(async () => {
    ({ path: dir, cleanup } = await tempDir());
    port = await freePort();
    // Stops answering the moment it gets SIGTERM, takes 1 s to exit, then 1.5 s to warm up: 2.5 s without an answer.
    await writeFile(
      join(dir, 'faultline.yaml'),
      `probeInterval: 100ms
services:
  api:
    process:
      command: ["${process.execPath}", "${service}"]
      env: { PORT: "${port}", WARMUP_MS: "1500", STOP_DELAY_MS: "1000" }
      stopTimeout: 5s
    health: { http: "http://127.0.0.1:${port}/", timeout: 200ms }
`,
    );
  });
  after(() => cleanup());

  test("a restart's outage counts from its stop: the whole 2.5 s without an answer, not only the warm-up", async () => {
    await writeFile(join(dir, 'restart.yaml'), 'title: restart api\nmethod:\n  - { fault: restart, target: api }\nrecovery: { within: 10s, sustained: 2 }\n');
    const loaded = await loadExperiment(join(dir, 'restart.yaml'), { kinds });
    const j = await runExperiment(loaded, { kinds, stateDir: join(dir, '.state'), reporters: [] });
    const [fault] = j.faults;
    const [api] = j.recovery;
    assert.ok(fault!.appliedT! - fault!.injectedT >= 1000, `the restart took its 1 s stop: ${fault!.appliedT! - fault!.injectedT} ms from injectedT to appliedT`);
    assert.equal(fault!.revertedT, fault!.appliedT, 'a single action acts until its injection returns');
    assert.equal(api!.impacted, true);
    // The first failed probe comes within an interval (+ its timeout) of the stop, not after the restart returned.
    assert.ok(api!.timeToImpactMs! <= 1000, `impact ${api!.timeToImpactMs} ms after the stop began`);
    assert.ok(api!.outageMs! >= 2300 && api!.outageMs! <= 4500, `outage ${api!.outageMs} ms; truth by construction: 2.5 s (+ up to an interval and a probe timeout)`);
  });

  test("a held fault's window closes when its revert returns, not when the ledger line is written", async () => {
    const stateDir = join(dir, '.state-ledger');
    let returnedAt = 0;
    // Its revert hands the state directory's lock to another process for a second on its way
    // out, so the `reverted` ledger line has to wait that long after the revert returned.
    const slowLedger: FaultKind<Record<string, never>> = {
      name: 'noop-held',
      driver: 'process',
      summary: 'holds nothing, for a measured window',
      timing: 'held',
      params: z.object({}),
      plan: () => ({}),
      inject: async () => ({}),
      async revert() {
        const holder = await startFixture('hold-lock.ts', [stateDir], 'locked');
        setTimeout(() => holder.child.stdin!.end(), 1000);
        returnedAt = Date.now();
      },
    };
    const withKind = { ...kinds, 'noop-held': slowLedger as FaultKind };
    await writeFile(join(dir, 'held.yaml'), 'title: held\nmethod:\n  - { fault: noop-held, target: api, duration: 300ms }\n');
    const loaded = await loadExperiment(join(dir, 'held.yaml'), { kinds: withKind });
    const j = await runExperiment(loaded, { kinds: withKind, stateDir, reporters: [] });
    const [fault] = j.faults;
    assert.equal(fault!.status, 'reverted');
    const returnedT = returnedAt - Date.parse(j.startedAt);
    assert.ok(Math.abs(fault!.revertedT! - returnedT) < 300, `revertedT ${fault!.revertedT} ms, the revert returned at ${returnedT} ms (the ledger line waited a further second)`);
  });
});
