/**
 * Runs every catalog experiment with the real, built CLI (`faultline run catalog:<name>`) against
 * one build of the demo shop — started and stopped by each run, from the system file the demo
 * writes — and checks the verdict each build should get (cases.ts), with what the journal shows.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { writeShopFiles } from '../../src/demo/files.js';
import type { ShopMode } from '../../src/demo/shop/topology.js';
import type { Journal } from '../../src/journal/types.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { freeBasePort } from '../demo/helpers.js';
import { inShard, shardLabel, type Shard } from '../helpers/shard.js';
import { CASES, type CatalogCase } from './cases.js';

const EXIT = { held: 0, deviated: 1, aborted: 3 } as const;
const isRoot = process.getuid?.() === 0;

export function describeCatalogRuns(mode: ShopMode, pick: (c: CatalogCase) => boolean = () => true, shard?: Shard): void {
  const cleanups: (() => Promise<void>)[] = [];
  after(() => Promise.all(cleanups.map((c) => c())));

  describe(`catalog experiments against the ${mode} demo shop, with the real CLI${shardLabel(shard)}`, async () => {
    const dir = await tempDir(`faultline-catalog-${mode}-`);
    const state = await tempDir();
    cleanups.push(dir.cleanup, state.cleanup);
    const basePort = await freeBasePort();
    await writeShopFiles(dir.path, { mode, basePort, dataDir: join(dir.path, 'data'), runtime: 'compiled', set: 'quick' });

    // The PromQL cases need a Prometheus: test/observability/promql-catalog-*.test.ts runs them.
    for (const c of inShard(CASES.filter((c) => !c.prometheus && pick(c)), shard)) {
      const expected = c.expected[mode];
      const skip = c.root && !isRoot ? 'needs root (the linux driver\'s stress faults run inside the target\'s cgroups)' : false;
      test(`catalog:${c.name}${c.variant ? ` (${c.variant})` : ''}: ${expected}${c.note?.[mode] ? ` (${c.note[mode]})` : ''}`, { skip }, async () => {
        const out = join(dir.path, `out-${c.name}${c.variant ? `-${CASES.indexOf(c)}` : ''}`);
        const res = await runCli(['run', `catalog:${c.name}`, ...c.args(basePort), '--report-dir', out, '--format', 'json'], {
          cwd: dir.path,
          env: { FAULTLINE_STATE_DIR: state.path },
          timeoutMs: 120_000,
        });
        const output = res.stdout + res.stderr;
        assert.equal(res.code, EXIT[expected], output);
        const journal = JSON.parse(await readFile(join(out, 'journal.json'), 'utf8')) as Journal;
        assert.equal(journal.status, expected, output);
        assert.equal(journal.experimentFile.endsWith(`catalog:${c.name}`), true, 'the journal names the catalog experiment');
        assert.ok(journal.faults.every((f) => f.status === 'reverted'), 'every fault injected was reverted');
        checkJournal(c.name, mode, journal, output);
      });
    }
  });
}

const check = (j: Journal, kind: string, name: RegExp) => [...j.steadyState.before, ...j.steadyState.during, ...j.steadyState.after, ...j.verdicts].filter((c) => c.kind === kind && name.test(c.name));

/** What each experiment is about, as the journal shows it. */
function checkJournal(name: string, mode: ShopMode, j: Journal, output: string): void {
  const resilient = mode === 'resilient';
  const injected = j.faults.length > 0;
  switch (name) {
    case 'circuit-breaker-validation': {
      if (resilient) {
        const opened = check(j, 'steady-state-after', /breaker on catalog opened/)[0];
        assert.ok(opened?.ok, `the breaker opened during the fault: ${opened?.observed}`);
        assert.match(opened!.observed, /shop_breaker_opened_total\{dependency="catalog"\} = \d+, \+\d+ since the baseline/);
        const closed = check(j, 'steady-state-after', /breaker on catalog is closed/)[0];
        assert.ok(closed?.ok, `the breaker closed after: ${closed?.observed}`);
        // While the fault was on, the breaker was seen open.
        assert.ok(j.timeSeries.some((s) => s.series === "probe:gateway's breaker on catalog is closed" && !s.ok && /= 1\b/.test(s.observed ?? '')), 'the breaker was seen open during the fault');
      } else {
        assert.equal(injected, false, 'no fault: there is no breaker to validate');
        assert.match(check(j, 'steady-state-before', /breaker on catalog is closed/)[0]!.observed, /no series/);
      }
      return;
    }
    case 'database-outage': {
      if (!injected) assert.fail('the fault was injected');
      const breaker = check(j, 'steady-state-after', /breaker on store opened/)[0];
      if (breaker) {
        assert.equal(breaker.ok, resilient, breaker.observed);
        assert.match(breaker.observed, resilient ? /shop_breaker_opened_total\{dependency="store"\} = \d+, \+\d+ since the baseline/ : /no series/);
        // p95 counts the answers that came: the fragile build's hung requests are errors, not slow answers.
        if (resilient) assert.equal(j.verdicts.find((v) => v.kind === 'slo')?.ok, true, 'failures are fast (p95)');
      }
      const during = check(j, 'throughout', /answers/)[0]!;
      assert.equal(during.ok, resilient, during.observed);
      return;
    }
    case 'retry-validation': {
      const retried = check(j, 'steady-state-after', /retried calls to store/)[0]!;
      assert.equal(retried.ok, resilient, retried.observed);
      assert.match(retried.observed, resilient ? /shop_retries_total\{dependency="store"\} = \d+, \+\d+ since the baseline/ : /no series/);
      return;
    }
    case 'cache-unavailability': {
      const slos = j.verdicts.filter((v) => v.kind === 'slo');
      assert.equal(slos.length, 3, 'availability, error rate and latency SLOs');
      assert.equal(slos.every((s) => s.ok), resilient, slos.map((s) => `${s.name}: ${s.observed}`).join('; '));
      return;
    }
    case 'load-with-chaos': {
      const slos = j.verdicts.filter((v) => v.kind === 'slo');
      assert.ok(slos.length >= 2);
      if (!resilient) assert.ok(slos.some((s) => !s.ok), 'an SLO broke');
      return;
    }
    case 'disaster-recovery': {
      assert.equal(j.faults.length, 6, 'every service was killed');
      for (const r of j.recovery) {
        if (resilient) assert.ok(r.met !== false && r.timeToRecoverMs !== null, `${r.service} recovered, with its time to recover`);
        else assert.equal(r.met, false, `${r.service} never came back`);
      }
      return;
    }
    case 'full-resilience-suite': {
      if (resilient) assert.ok(j.faults.length >= 10, `every part ran its faults (${j.faults.length})`);
      else {
        assert.match(j.reasons.join(' '), /skipped: \w+ is not there to fault .*it did not come back from an earlier fault of this run/);
        assert.equal(check(j, 'throughout', /answers/)[0]?.ok, false, 'the broken steady state is recorded');
      }
      return;
    }
    case 'resource-exhaustion': {
      assert.ok(injected, output);
      assert.ok(['stress', 'cpu-stress', 'memory-stress'].includes(j.faults[0]!.kind));
      return;
    }
    default: {
      assert.ok(injected, 'the fault was injected');
      const gateway = j.recovery.find((r) => r.service === 'gateway')!;
      if (resilient) {
        assert.ok(j.recovery.every((r) => r.met !== false), 'every service recovered in time');
      } else {
        assert.equal(gateway.impacted, true, 'the failure reached the public API');
        assert.ok(j.steadyState.during.some((c) => !c.ok) || j.verdicts.some((v) => !v.ok), 'a check failed');
      }
    }
  }
}
