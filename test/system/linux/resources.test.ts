// Stress workers, disk fill and fd exhaustion on real processes and a real (tmpfs) filesystem,
// each removed completely by its revert.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { linuxFaults } from '../../../src/drivers/linux/index.js';
import { freeBytes } from '../../../src/drivers/linux/resources/disk-fill.js';
import { processesWithToken } from '../../../src/drivers/linux/resources/stress.js';
import { withDescendants } from '../../../src/drivers/linux/process-tree.js';
import { cpuSeconds, fixtures, resolveTarget, revertInFreshProcess, sh, skipUnless, startNode, testContext, type LineChild } from './helpers.js';
import { skipUnlessRequired } from '../require.js';

const skip = skipUnlessRequired(skipUnless(), import.meta.url);

function cgroupLine(pid: number, controller: string): string | undefined {
  return readFileSync(`/proc/${pid}/cgroup`, 'utf8')
    .split('\n')
    .find((l) => l.split(':')[1]?.split(',').includes(controller) || (controller === 'unified' && l.startsWith('0::')))
    ?.split(':')[2];
}

function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

describe('stress workers', { skip, concurrency: 1 }, () => {
  let sleeper: LineChild;
  before(async () => {
    sleeper = startNode(['-e', 'console.log("ready"); setInterval(() => {}, 1000)']);
    await sleeper.waitLine(/ready/);
  });
  after(() => sleeper?.stop());

  for (const engine of ['builtin', 'stress-ng'] as const) {
    test(`cpu-stress with ${engine} workers: they burn CPU inside the target's cgroups, and none is left after the revert`, { skip: engine === 'stress-ng' ? skipUnlessRequired(skipUnless('stress-ng'), import.meta.url) : undefined }, async () => {
      const target = await resolveTarget({ pid: sleeper.pid }, [sleeper.pid]);
      const kind = linuxFaults['cpu-stress'];
      const params = kind.params.parse({ workers: 2, engine });
      const info = kind.plan(target, params);
      const result = await kind.inject(target, params, testContext());
      let pids: number[];
      try {
        assert.equal(result.details?.engine, engine);
        await new Promise((r) => setTimeout(r, 1000));
        pids = withDescendants(processesWithToken(String(result.details?.token)));
        assert.ok(pids.length >= (engine === 'builtin' ? 2 : 3), `workers: ${pids.join(', ')}`);
        for (const pid of pids) {
          for (const c of ['cpu', 'memory']) assert.equal(cgroupLine(pid, c), cgroupLine(sleeper.pid, c), `worker ${pid} in the target's ${c} cgroup`);
        }
        const burnt = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
        assert.ok(burnt > 0.3, `workers used ${burnt.toFixed(2)} s of CPU in about 1 s`);
      } finally {
        await kind.revert(info, testContext());
      }
      assert.deepEqual(processesWithToken(String(result.details?.token)), []);
      for (const pid of pids) assert.equal(existsSync(`/proc/${pid}/stat`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '), false, `worker ${pid} still there`);
    });
  }

  test('memory-stress 96m holds that much resident memory in the target\'s memory cgroup', async () => {
    const target = await resolveTarget({ pid: sleeper.pid }, [sleeper.pid]);
    const kind = linuxFaults['memory-stress'];
    const params = kind.params.parse({ size: '96m', engine: 'builtin' });
    const info = kind.plan(target, params);
    const result = await kind.inject(target, params, testContext());
    try {
      const [worker] = result.details?.workers as number[];
      assert.ok(rssMb(worker!) >= 90, `worker RSS ${rssMb(worker!).toFixed(0)} MB`);
      assert.equal(cgroupLine(worker!, 'memory'), cgroupLine(sleeper.pid, 'memory'));
    } finally {
      await kind.revert(info, testContext());
    }
    assert.deepEqual(processesWithToken(String(result.details?.token)), []);
  });

  test('stress workers are killed by a revert in a fresh process (the reaper\'s path)', async () => {
    const target = await resolveTarget({ pid: sleeper.pid }, [sleeper.pid]);
    const kind = linuxFaults.stress;
    const params = kind.params.parse({ cpu: 1, memory: '32m', engine: 'builtin' });
    const info = JSON.parse(JSON.stringify(kind.plan(target, params)));
    const result = await kind.inject(target, params, testContext());
    assert.equal(processesWithToken(String(result.details?.token)).length, 2);
    const res = revertInFreshProcess('stress', info);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(processesWithToken(String(result.details?.token)), []);
  });
});

describe('disk-fill on a 64m tmpfs', { skip, concurrency: 1 }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'faultline-fill-'));
    sh('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'faultline-test', dir]);
  });
  after(() => {
    if (!dir) return;
    try {
      sh('umount', [dir]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('fills it down to the floor (keepFree 16m), and the revert frees it again', async () => {
    const target = await resolveTarget({ pid: process.pid }, [process.pid]);
    const kind = linuxFaults['disk-fill'];
    const params = kind.params.parse({ path: dir, keepFree: '16m' });
    const before = freeBytes(dir);
    const info = kind.plan(target, params);
    const result = await kind.inject(target, params, testContext());
    try {
      const free = freeBytes(dir) / 1024 / 1024;
      assert.ok(free >= 15.9 && free <= 17, `${free.toFixed(1)} MB free while filled`);
      assert.ok(existsSync(String(result.details?.file)));
    } finally {
      await kind.revert(info, testContext());
    }
    assert.equal(existsSync(String(result.details?.file)), false);
    assert.equal(freeBytes(dir), before);
  });

  test('a size smaller than the room left fills only that much', async () => {
    const target = await resolveTarget({ pid: process.pid }, [process.pid]);
    const kind = linuxFaults['disk-fill'];
    const params = kind.params.parse({ path: dir, size: '8m', keepFree: '1m' });
    const before = freeBytes(dir);
    const info = kind.plan(target, params);
    await kind.inject(target, params, testContext());
    try {
      assert.equal(before - freeBytes(dir), 8 * 1024 * 1024);
    } finally {
      await kind.revert(info, testContext());
    }
    assert.equal(freeBytes(dir), before);
  });

  test('nothing to fill above the floor: a clear error, nothing written', async () => {
    const target = await resolveTarget({ pid: process.pid }, [process.pid]);
    const kind = linuxFaults['disk-fill'];
    assert.throws(() => kind.plan(target, kind.params.parse({ path: dir, keepFree: '1g' })), /has 64m free and the floor is 1g, so there is nothing to fill/);
  });
});

describe('fd-exhaustion', { skip: skipUnlessRequired(skipUnless('prlimit'), import.meta.url), concurrency: 1 }, () => {
  test('opening a file fails with EMFILE while it holds; the soft limit comes back exactly', async () => {
    const child = startNode([join(fixtures, 'fd-opener.mjs')]);
    try {
      await child.waitLine(/ready/);
      const limits = () => /^Max open files.*$/m.exec(readFileSync(`/proc/${child.pid}/limits`, 'utf8'))![0];
      const before = limits();
      assert.equal(await child.ask('open', /^open /), 'open ok');
      const target = await resolveTarget({ pid: child.pid }, [child.pid]);
      const kind = linuxFaults['fd-exhaustion'];
      const params = kind.params.parse({});
      const info = kind.plan(target, params);
      await kind.inject(target, params, testContext());
      try {
        assert.equal(await child.ask('open', /^open /), 'open EMFILE');
      } finally {
        await kind.revert(info, testContext());
      }
      assert.equal(limits(), before);
      assert.equal(await child.ask('open', /^open /), 'open ok');
    } finally {
      child.stop();
    }
  });
});
