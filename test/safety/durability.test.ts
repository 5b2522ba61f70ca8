// Durable means durable after a power cut, not only a crash: the parents of a new state directory,
// the directory a run record is renamed into, and every audit line are fsync'd. Observed from the
// outside, with strace, on the real system calls.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeDir, tempDir } from './helpers.js';

interface Call {
  name: string;
  args: string;
  result: string;
}

/** The traced calls in order, with the path each fd was opened for. */
function parse(log: string): { calls: Call[]; synced: string[]; datasynced: string[] } {
  const calls: Call[] = [];
  const fds = new Map<string, string>();
  const synced: string[] = [];
  const datasynced: string[] = [];
  for (const line of log.split('\n')) {
    const m = /^\d+\s+(\w+)\((.*)\)\s+=\s+(-?\d+)/.exec(line);
    if (!m) continue;
    const [, name, args, result] = m as unknown as [string, string, string, string];
    calls.push({ name, args, result });
    if (name === 'openat' && Number(result) >= 0) fds.set(result, /"([^"]*)"/.exec(args)?.[1] ?? '?');
    if (name === 'fsync') synced.push(fds.get(args.trim()) ?? `fd ${args}`);
    if (name === 'fdatasync') datasynced.push(fds.get(args.trim()) ?? `fd ${args}`);
  }
  return { calls, synced, datasynced };
}

describe('durability of the state directory', () => {
  let root: string;
  before(async () => {
    root = await tempDir();
  });
  after(() => removeDir(root));

  it('fsyncs the parents of new directories, the runs directory after a rename, and each audit line', async (t) => {
    if (spawnSync('strace', ['-V']).status !== 0) return t.skip('needs strace (Debian package strace) to observe the fsync calls');
    const stateDir = join(root, 'a', 'b', 'state');
    const log = join(root, 'strace.log');
    const script = fileURLToPath(new URL('./fixtures/durable-writes.ts', import.meta.url));
    const res = spawnSync('strace', ['-f', '-qq', '-e', 'trace=openat,fsync,fdatasync,rename,mkdir', '-o', log, process.execPath, '--import', 'tsx', script, stateDir], { encoding: 'utf8' });
    if (res.status !== 0 && /ptrace|Operation not permitted/.test(res.stderr)) return t.skip(`strace cannot trace here: ${res.stderr.trim()}`);
    assert.equal(res.status, 0, res.stderr);
    const { synced, datasynced } = parse(await readFile(log, 'utf8'));

    // mkdir -p a/b/state: each new directory's parent is fsync'd, so none of them can vanish.
    for (const parent of [root, join(root, 'a'), join(root, 'a', 'b'), stateDir]) {
      assert.ok(synced.includes(parent), `no fsync of ${parent}; fsync'd: ${synced.join(', ')}`);
    }
    // The run record is renamed into runs/: that directory is fsync'd after the rename.
    assert.ok(synced.includes(join(stateDir, 'runs')), `runs/ not fsync'd after the rename; fsync'd: ${synced.join(', ')}`);
    // The audit line is fdatasync'd.
    assert.ok(datasynced.includes(join(stateDir, 'audit.jsonl')), `audit.jsonl not synced; fdatasync'd: ${datasynced.join(', ')}`);
  });
});
