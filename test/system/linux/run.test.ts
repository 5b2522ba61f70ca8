// Linux faults in an experiment file, through the built CLI (`faultline run`): validation knows
// the kinds and their parameters, and an OOM kill under memory-limit ends up in journal.json.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, startCli, tempDir, waitFor } from '../../helpers/cli.js';
import { exited, fixtures, procCgroup, repoRoot, skipUnless, startNode, type LineChild } from './helpers.js';
import { skipUnlessRequired } from '../require.js';

const built = existsSync(join(repoRoot, 'dist', 'drivers', 'linux', 'index.js'));
const skip = skipUnlessRequired(skipUnless() ?? (built ? undefined : 'needs the build with the linux driver (npm run build; npm test builds first)'), import.meta.url);

describe('linux faults in faultline run', { skip, concurrency: 1 }, () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let hog: LineChild;

  before(async () => {
    ({ path: dir, cleanup } = await tempDir());
    hog = startNode([join(fixtures, 'allocate.mjs')], { WAIT: '1', STEP_MB: '8', MAX_MB: '512' });
    await hog.waitLine(/ready/);
    writeFileSync(join(dir, 'hog.pid'), String(hog.pid));
    writeFileSync(join(dir, 'faultline.yaml'), 'services:\n  hog:\n    pidFile: hog.pid\n  db:\n    endpoint: "http://127.0.0.1:1/"\n');
  });
  after(async () => {
    hog?.stop();
    await cleanup?.();
  });

  test('validate: linux kinds and their parameters are checked like any other', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'title: bad\nmethod:\n  - { fault: memory-limit, target: hog, duration: 1s, memory: lots }\n');
    const res = await runCli(['validate', 'bad.yaml'], { cwd: dir });
    assert.equal(res.code, 2);
    assert.match(res.stderr + res.stdout, /bad\.yaml:3:\d+ at method\[0\]\.memory: expected a size such as 64m/);
    writeFileSync(join(dir, 'bad2.yaml'), 'title: bad\nmethod:\n  - { fault: net-partition, target: hog.link, duration: 1s }\n  - { fault: cpu-limit, target: nope, duration: 1s, cpus: 1 }\n');
    const res2 = await runCli(['validate', 'bad2.yaml'], { cwd: dir });
    assert.equal(res2.code, 2);
    assert.match(res2.stderr + res2.stdout, /linux faults act on a whole service, not on a proxy link: use "hog"/);
    assert.match(res2.stderr + res2.stdout, /unknown service "nope"/);
    writeFileSync(join(dir, 'good.yaml'), 'title: good\nmethod:\n  - { fault: net-partition, target: db, duration: 1s, direction: egress }\n  - { fault: stress, target: hog, duration: 1s, cpu: 1, memory: 64m }\n');
    const res3 = await runCli(['validate', 'good.yaml'], { cwd: dir });
    assert.equal(res3.code, 0, res3.stderr + res3.stdout);
  });

  test('memory-limit: the OOM kill of the target is in journal.json (details.oomKills, oomKilledPids)', async () => {
    writeFileSync(join(dir, 'oom.yaml'), 'title: squeeze the hog\nmethod:\n  - { fault: memory-limit, target: hog, duration: 4s, memory: 64m }\n');
    const run = startCli(['run', 'oom.yaml', '-r', 'out'], { cwd: dir, env: { FAULTLINE_STATE_DIR: join(dir, '.state') } });
    await waitFor(() => /faultline-/.test(procCgroup(hog.pid)), { what: `the hog in a faultline cgroup (${run.output()})`, timeoutMs: 20_000 });
    hog.child.stdin!.write('go\n');
    assert.equal((await exited(hog.child, 20_000))?.signal, 'SIGKILL');
    const res = await run.done;
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout + res.stderr, /OOM/);
    const journal = JSON.parse(readFileSync(join(dir, 'out', 'journal.json'), 'utf8')) as { faults: { kind: string; status: string; details: { oomKills: number; oomKilledPids: number[] } }[] };
    const fault = journal.faults[0]!;
    assert.equal(fault.kind, 'memory-limit');
    assert.equal(fault.status, 'reverted');
    assert.ok(fault.details.oomKills >= 1, JSON.stringify(fault.details));
    assert.deepEqual(fault.details.oomKilledPids, [hog.pid]);
  });
});
