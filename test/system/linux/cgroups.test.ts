// cgroup faults on real processes: CPU quota (measured CPU time of a busy loop), memory limit
// with a real OOM kill recorded, freeze and thaw — each restored exactly: the processes are back
// in their own cgroups, values back to what they were, faultline's cgroups gone.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { linuxFaults } from '../../../src/drivers/linux/index.js';
import { cgroupDirOf, hierarchyFor, hostHierarchies, type Controller } from '../../../src/drivers/linux/cgroup/hierarchy.js';
import type { CgroupPlan } from '../../../src/drivers/linux/cgroup/plan.js';
import { fixtures } from './helpers.js';
import { cpuOver, exited, procCgroup, resolveTarget, revertInFreshProcess, skipUnless, startNode, testContext, type LineChild } from './helpers.js';
import { skipTest, skipUnlessRequired } from '../require.js';

const skip = skipUnlessRequired(skipUnless(), import.meta.url);
const children: LineChild[] = [];
const ownCgroups: string[] = [];

function busy(): LineChild {
  const c = startNode(['-e', 'console.log("ready"); for (;;) {}']);
  children.push(c);
  return c;
}

function track(c: LineChild): LineChild {
  children.push(c);
  return c;
}

/** A cgroup of the test's own under the process's current one, holding only that process: what a container looks like. */
function ownCgroup(controller: Controller, pid: number): { dir: string; home: string } {
  const h = hierarchyFor(controller, hostHierarchies())!;
  const home = cgroupDirOf(pid, h)!;
  const dir = join(home, `fltest-${process.pid}-${ownCgroups.length}`);
  mkdirSync(dir);
  ownCgroups.push(dir);
  writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  return { dir, home };
}

after(async () => {
  for (const c of children) c.stop();
  // Killed processes take a moment to leave their cgroups: retry for a while.
  for (const dir of ownCgroups.reverse()) {
    for (let i = 0; i < 50 && existsSync(dir); i++) {
      try {
        rmdirSync(dir);
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
});

function plans(info: unknown): CgroupPlan[] {
  return (info as { cgroups: CgroupPlan[] }).cgroups;
}

describe('cgroup faults', { skip, concurrency: 1 }, () => {
  test('cpu-limit 0.2 (move: the busy loop shares its cgroup with the test) throttles it; revert puts it back where it was', async () => {
    const child = busy();
    await child.waitLine(/ready/);
    const before = procCgroup(child.pid);
    const target = await resolveTarget({ pid: child.pid }, [child.pid]);
    const kind = linuxFaults['cpu-limit'];
    const params = kind.params.parse({ cpus: 0.2 });
    const info = kind.plan(target, params);
    const [plan] = plans(info);
    assert.equal(plan!.mode, 'move');
    await kind.inject(target, params, testContext());
    let throttled: number;
    try {
      assert.notEqual(procCgroup(child.pid), before);
      assert.match(procCgroup(child.pid), /faultline-[0-9a-f]{8}/);
      throttled = await cpuOver(child.pid, 2000);
      const stat = readFileSync(join(plan!.dir, 'cpu.stat'), 'utf8');
      assert.match(stat, /nr_throttled [1-9]/);
    } finally {
      await kind.revert(info, testContext());
    }
    // A quota of 0.2 CPU allows 0.4 s in 2 s (plus a period of slack); a busy machine only lowers it.
    assert.ok(throttled <= 0.6, `used ${throttled.toFixed(2)} s of CPU in 2 s under a 0.2 CPU quota`);
    assert.equal(procCgroup(child.pid), before);
    assert.equal(existsSync(plan!.dir), false);
    const free = await cpuOver(child.pid, 1000);
    assert.ok(free > throttled / 2, `after the revert it used ${free.toFixed(2)} s in 1 s (throttled: ${throttled.toFixed(2)} s in 2 s)`);
    await kind.revert(info, testContext()); // idempotent
    child.stop();
  });

  test('cpu-limit in-place on a cgroup of the target\'s own: the quota is written there and the previous value restored exactly', async (t) => {
    const child = busy();
    await child.waitLine(/ready/);
    const { dir } = ownCgroup('cpu', child.pid);
    const h = hierarchyFor('cpu', hostHierarchies())!;
    const file = h.version === 2 ? 'cpu.max' : 'cpu.cfs_quota_us';
    if (!existsSync(join(dir, file))) return skipTest(t, `no ${file} in ${dir} (the cpu controller is not enabled there)`);
    const previous = readFileSync(join(dir, file), 'utf8');
    const target = await resolveTarget({ pid: child.pid }, [child.pid]);
    const kind = linuxFaults['cpu-limit'];
    const params = kind.params.parse({ cpus: 0.25 });
    const info = kind.plan(target, params);
    assert.equal(plans(info)[0]!.mode, 'in-place');
    assert.equal(plans(info)[0]!.dir, dir);
    await kind.inject(target, params, testContext());
    try {
      assert.match(readFileSync(join(dir, file), 'utf8'), /^25000\b/);
      assert.ok((await cpuOver(child.pid, 1000)) <= 0.45);
    } finally {
      await kind.revert(info, testContext());
    }
    assert.equal(readFileSync(join(dir, file), 'utf8'), previous);
    child.stop();
  });

  test('memory-limit 64m (move): a growing process is OOM-killed, and the kill is recorded', async () => {
    const child = track(startNode([join(fixtures, 'allocate.mjs')], { WAIT: '1', STEP_MB: '8', MAX_MB: '512' }));
    await child.waitLine(/ready/);
    const before = procCgroup(child.pid);
    const target = await resolveTarget({ pid: child.pid }, [child.pid]);
    const kind = linuxFaults['memory-limit'];
    const params = kind.params.parse({ memory: '64m' });
    const info = kind.plan(target, params);
    const ctx = testContext();
    const result = await kind.inject(target, params, ctx);
    try {
      assert.notEqual(procCgroup(child.pid), before);
      child.child.stdin!.write('go\n');
      const end = await exited(child.child, 20_000);
      assert.equal(end?.signal, 'SIGKILL', `expected an OOM kill, got ${JSON.stringify(end)}`);
      // The watcher polls every 200 ms.
      await new Promise((r) => setTimeout(r, 500));
      assert.ok(Number(result.details?.oomKills) >= 1, `details: ${JSON.stringify(result.details)}`);
      assert.deepEqual(result.details?.oomKilledPids, [child.pid]);
      assert.ok(ctx.logs.some((l) => /OOM/.test(l) && l.includes(String(child.pid))), ctx.logs.join('\n'));
    } finally {
      await kind.revert(info, ctx);
    }
    assert.equal(existsSync(plans(info)[0]!.dir), false);
    assert.ok(ctx.logs.some((l) => /OOM-killed 1 process/.test(l)), ctx.logs.join('\n'));
  });

  test('memory-limit in-place: the target\'s own cgroup gets the limit, an allocation past it is OOM-killed, the old limit comes back', async (t) => {
    const child = track(startNode([join(fixtures, 'allocate.mjs')], { WAIT: '1', STEP_MB: '8', MAX_MB: '512' }));
    await child.waitLine(/ready/);
    const { dir } = ownCgroup('memory', child.pid);
    const h = hierarchyFor('memory', hostHierarchies())!;
    const file = h.version === 2 ? 'memory.max' : 'memory.limit_in_bytes';
    if (!existsSync(join(dir, file))) return skipTest(t, `no ${file} in ${dir} (the memory controller is not enabled there)`);
    const previous = readFileSync(join(dir, file), 'utf8');
    const target = await resolveTarget({ pid: child.pid }, [child.pid]);
    const kind = linuxFaults['memory-limit'];
    const params = kind.params.parse({ memory: '96m' });
    const info = kind.plan(target, params);
    assert.equal(plans(info)[0]!.mode, 'in-place');
    const ctx = testContext();
    const result = await kind.inject(target, params, ctx);
    try {
      assert.equal(readFileSync(join(dir, file), 'utf8').trim(), String(96 * 1024 * 1024));
      child.child.stdin!.write('go\n');
      assert.equal((await exited(child.child, 20_000))?.signal, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 500));
      assert.ok(Number(result.details?.oomKills) >= 1, JSON.stringify(result.details));
    } finally {
      await kind.revert(info, ctx);
    }
    assert.equal(readFileSync(join(dir, file), 'utf8'), previous);
  });

  test('freeze (move): the process stops completely, then runs on; it is back in its cgroup', async () => {
    const child = track(startNode([join(fixtures, 'ticker.mjs')]));
    await child.waitLine(/ready/);
    await child.waitLine(/tick/);
    const before = procCgroup(child.pid);
    const target = await resolveTarget({ pid: child.pid }, [child.pid]);
    const kind = linuxFaults.freeze;
    const params = kind.params.parse({});
    const info = kind.plan(target, params);
    const result = await kind.inject(target, params, testContext());
    try {
      assert.equal(result.details?.frozen, true);
      await new Promise((r) => setTimeout(r, 150));
      const seen = (await child.waitLine(/tick/, 100).catch(() => 'none')) as string;
      await new Promise((r) => setTimeout(r, 600));
      // Nothing new after the freeze settled (at most a line that was already on its way).
      await assert.rejects(child.waitLine(/tick/, 300), /no line matching/, `got ${seen} and then more while frozen`);
    } finally {
      await kind.revert(info, testContext());
    }
    await child.waitLine(/tick/, 3000);
    assert.equal(procCgroup(child.pid), before);
    assert.equal(existsSync(plans(info)[0]!.dir), false);
    child.stop();
  });

  test('freeze in-place on a cgroup of the target\'s own, thawed after', async () => {
    const child = track(startNode([join(fixtures, 'ticker.mjs')]));
    await child.waitLine(/ready/);
    const { dir } = ownCgroup('freezer', child.pid);
    const h = hierarchyFor('freezer', hostHierarchies())!;
    const state = () => readFileSync(join(dir, h.version === 2 ? 'cgroup.freeze' : 'freezer.state'), 'utf8').trim();
    const before = state();
    const target = await resolveTarget({ pid: child.pid }, [child.pid]);
    const kind = linuxFaults.freeze;
    const params = kind.params.parse({ mode: 'in-place' });
    const info = kind.plan(target, params);
    await kind.inject(target, params, testContext());
    try {
      assert.match(state(), /^(FROZEN|1)$/);
    } finally {
      await kind.revert(info, testContext());
    }
    assert.equal(state(), before);
    await child.waitLine(/tick/, 3000);
    child.stop();
  });

  test('mode in-place is refused, before anything is applied, when the cgroup holds other processes', async () => {
    const child = busy();
    await child.waitLine(/ready/);
    const target = await resolveTarget({ pid: child.pid }, [child.pid]);
    const kind = linuxFaults['cpu-limit'];
    assert.throws(() => kind.plan(target, kind.params.parse({ cpus: 0.5, mode: 'in-place' })), /mode in-place needs a cgroup holding only the target's processes/);
    child.stop();
  });

  test('cpu-limit reverted from its plain-JSON info in a fresh process', async () => {
    const child = busy();
    await child.waitLine(/ready/);
    const before = procCgroup(child.pid);
    const target = await resolveTarget({ pid: child.pid }, [child.pid]);
    const kind = linuxFaults['cpu-limit'];
    const params = kind.params.parse({ cpus: 0.3 });
    const info = JSON.parse(JSON.stringify(kind.plan(target, params)));
    await kind.inject(target, params, testContext());
    assert.notEqual(procCgroup(child.pid), before);
    const res = revertInFreshProcess('cpu-limit', info);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(procCgroup(child.pid), before);
    assert.equal(existsSync(plans(info)[0]!.dir), false);
    child.stop();
  });

  test('children the target forks while limited go back with it', async () => {
    const parent = track(startNode(['-e', 'const {spawn}=require("node:child_process"); console.log("ready"); process.stdin.once("data", () => { const c = spawn(process.execPath, ["-e", "setInterval(()=>{},1000)"], {stdio:"ignore"}); console.log("child " + c.pid); }); setInterval(()=>{},1000);']));
    await parent.waitLine(/ready/);
    const before = procCgroup(parent.pid);
    const target = await resolveTarget({ pid: parent.pid }, [parent.pid]);
    const kind = linuxFaults['resource-limit'];
    const params = kind.params.parse({ cpus: 0.5, memory: '256m' });
    const info = kind.plan(target, params);
    await kind.inject(target, params, testContext());
    let childPid: number;
    try {
      parent.child.stdin!.write('x\n');
      childPid = Number((await parent.waitLine(/^child /)).split(' ')[1]);
      assert.match(procCgroup(childPid), /faultline-/);
    } finally {
      await kind.revert(info, testContext());
    }
    assert.equal(procCgroup(parent.pid), before);
    assert.equal(procCgroup(childPid), before);
    process.kill(childPid, 'SIGKILL');
    parent.stop();
  });
});
