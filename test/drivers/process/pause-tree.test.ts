/**
 * `pause` with `tree: true` on a real process tree whose children each lead their own session,
 * as PostgreSQL's backends do (setsid): a group signal would miss them, the tree walk must not.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { pauseFault } from '../../../src/drivers/process/index.js';
import { descendantsOf } from '../../../src/drivers/process/tree.js';
import { processState, readStartTicks } from '../../../src/util/proc.js';
import type { ProcessTarget } from '../../../src/drivers/process/types.js';
import type { RevertInfo } from '../../../src/faults/types.js';
import { HANG_GUARD_MS, Pids, ctx, waitUntil } from './helpers.js';

const pids = new Pids();
after(() => pids.killAll());

/** sh → two `setsid sleep` children (own sessions) and a `setsid sh` with a sleeping grandchild. */
async function spawnTree(): Promise<{ root: number; all: () => number[] }> {
  const child = spawn('sh', ['-c', 'setsid sleep 300 & setsid sleep 300 & setsid sh -c "sleep 300 & wait" & wait'], { stdio: 'ignore', detached: true });
  pids.add(child.pid);
  const root = child.pid!;
  await waitUntil('4 descendants', () => descendantsOf(root).length === 4);
  for (const pid of descendantsOf(root)) pids.add(pid);
  return { root, all: () => [root, ...descendantsOf(root)] };
}

const target = (pid: number): ProcessTarget => ({ service: 'db', label: `db (pid ${pid})`, pid, startTicks: readStartTicks(pid)! });
const stoppedCount = (list: number[]) => list.filter((p) => processState(p) === 'T').length;

describe('pause tree: true', { timeout: HANG_GUARD_MS }, () => {
  it('the children really are in other sessions, so the process group misses them', async () => {
    const { root } = await spawnTree();
    const { execFileSync } = await import('node:child_process');
    const sessions = new Set(descendantsOf(root).map((p) => execFileSync('ps', ['-o', 'sid=', '-p', String(p)]).toString().trim()));
    assert.equal(sessions.size, 3, 'three setsid children, three sessions of their own');
  });

  it('freezes the root and every descendant, and the revert (from the ledger JSON) resumes them all', async () => {
    const { root, all } = await spawnTree();
    const params = pauseFault.params.parse({ tree: true });
    const ledger = JSON.stringify(pauseFault.plan(target(root), params));
    const result = await pauseFault.inject(target(root), params, ctx());
    assert.deepEqual(result.details, { pid: root, processes: 5 });
    await waitUntil('all 5 stopped', () => stoppedCount(all()) === 5);
    await pauseFault.revert(JSON.parse(ledger) as RevertInfo, ctx());
    await waitUntil('none stopped', () => stoppedCount(all()) === 0);
    await pauseFault.revert(JSON.parse(ledger) as RevertInfo, ctx()); // idempotent
    assert.equal(stoppedCount(all()), 0);
  });

  it('without tree only the root is frozen (what a paused postmaster alone is)', async () => {
    const { root, all } = await spawnTree();
    const params = pauseFault.params.parse({});
    const info = pauseFault.plan(target(root), params);
    assert.equal(info.tree, undefined);
    await pauseFault.inject(target(root), params, ctx());
    await waitUntil('root stopped', () => processState(root) === 'T');
    assert.equal(stoppedCount(all()), 1, 'the descendants keep running');
    await pauseFault.revert(info, ctx());
    await waitUntil('root resumed', () => processState(root) !== 'T');
  });
});
