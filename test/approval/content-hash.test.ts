// What an approval names: the resolved content, not the text. Key order, formatting and comments
// do not change the hash; any value, the file's place, or a code file's bytes do.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { canonicalJson, contentHash } from '../../src/approval/content-hash.js';
import { approvalStatus, requireApproval } from '../../src/approval/check.js';
import { appendApproval, newApprovalId } from '../../src/approval/store.js';
import { isApprovalError } from '../../src/errors/index.js';
import { faultRegistry } from '../../src/drivers/index.js';
import { loadExperiment } from '../../src/experiment/loader/load-experiment.js';
import { parseDuration } from '../../src/util/duration.js';
import { tempDir } from '../helpers/cli.js';

const kinds = faultRegistry();
const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

const SYSTEM = 'services:\n  api:\n    pid: 999999\n    health: { http: "http://127.0.0.1:9/health", timeout: 500ms }\n';
const EXPERIMENT = 'title: t\nmethod:\n  - fault: kill\n    target: api\n    signal: SIGTERM\nrecovery: { within: 5s, sustained: 2 }\n';

async function dir(): Promise<string> {
  const t = await tempDir('faultline-hash-');
  cleanups.push(t.cleanup);
  return t.path;
}

async function hashOf(d: string, experiment: string, system = SYSTEM, name = 'e.yaml') {
  await writeFile(join(d, 'faultline.yaml'), system);
  await writeFile(join(d, name), experiment);
  return contentHash(await loadExperiment(join(d, name), { kinds }));
}

test('canonical JSON: key order does not matter, values do; values JSON cannot hold stay distinct', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } }), canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }));
  assert.notEqual(canonicalJson({ a: 1 }), canonicalJson({ a: 2 }));
  assert.notEqual(canonicalJson([1, 2]), canonicalJson([2, 1]));
  assert.equal(canonicalJson({ a: 1, b: undefined }), canonicalJson({ a: 1 }));
  assert.notEqual(canonicalJson({ r: /a/ }), canonicalJson({ r: /b/ }));
  assert.notEqual(canonicalJson({ r: /a/ }), canonicalJson({ r: {} }));
  assert.notEqual(canonicalJson({ n: Infinity }), canonicalJson({ n: null }));
  assert.notEqual(canonicalJson({ f: () => 1 }), canonicalJson({ f: () => 2 }));
});

test('the hash of a loaded experiment ignores key order, formatting, comments and defaults written out; a changed value changes it', async () => {
  const d = await dir();
  const base = await hashOf(d, EXPERIMENT);
  assert.match(base.hash, /^[0-9a-f]{64}$/);
  const reordered = '# the same, written differently\nrecovery:\n  sustained: 2\n  within: 5000\nmethod:\n  - { signal: SIGTERM, target: api, fault: kill }\ntitle: t\ntags: []\n';
  assert.deepEqual(await hashOf(d, reordered), base);
  const changed = await hashOf(d, EXPERIMENT.replace('within: 5s', 'within: 6s'));
  assert.notEqual(changed.hash, base.hash);
  assert.notEqual(changed.experiment, base.experiment);
  assert.equal(changed.system, base.system, 'the system half is unchanged');
  const system = await hashOf(d, EXPERIMENT, SYSTEM.replace('500ms', '400ms'));
  assert.notEqual(system.hash, base.hash);
  assert.equal(system.experiment, base.experiment);
  assert.notEqual(system.system, base.system);
  // `system:` in the experiment points at the file hashed as resolved: naming it is the same run.
  assert.deepEqual(await hashOf(d, `system: ./faultline.yaml\n${EXPERIMENT}`), base);
});

test('where the files are is part of the content (relative paths resolve there)', async () => {
  const a = await dir();
  const b = await dir();
  assert.notEqual((await hashOf(a, EXPERIMENT)).hash, (await hashOf(b, EXPERIMENT)).hash);
});

test('a TypeScript experiment is hashed with its bytes: a change in its code changes the hash even when its data does not', async () => {
  const d = await dir();
  const ts = (comment: string) => `// ${comment}\nexport default { title: 't', method: [{ fault: 'kill', target: 'api' }] };\n`;
  const one = await hashOf(d, ts('one'), SYSTEM, 'e.ts');
  const two = await hashOf(d, ts('two'), SYSTEM, 'e.ts');
  assert.notEqual(one.hash, two.hash);
});

test('approvalStatus never throws; requireApproval refuses with E_APPROVAL and accepts a matching, unexpired approval', async () => {
  const d = await dir();
  await writeFile(join(d, 'faultline.yaml'), `requiresApproval: true\n${SYSTEM}`);
  await writeFile(join(d, 'e.yaml'), EXPERIMENT);
  const loaded = await loadExperiment(join(d, 'e.yaml'), { kinds });
  const state = join(d, 'state');
  // An unreadable approvals file (a directory in its place) is a problem to report, not a throw.
  await mkdir(join(state, 'approvals.jsonl'), { recursive: true });
  const unreadable = await approvalStatus(loaded, state);
  assert.ok(unreadable.required && unreadable.problemKind === 'unreadable', JSON.stringify(unreadable));
  const fresh = join(d, 'state2');
  await assert.rejects(requireApproval(loaded, fresh), (err) => isApprovalError(err) && err.code === 'E_APPROVAL' && /never been approved/.test(err.message));
  const content = await contentHash(loaded);
  const at = new Date('2026-01-01T00:00:00Z');
  await appendApproval(fresh, { id: newApprovalId(), at: at.toISOString(), by: 'ada', expiresAt: new Date(at.getTime() + 60_000).toISOString(), hash: content.hash, parts: { experiment: content.experiment, system: content.system }, title: 't', experimentFile: loaded.absPath, systemFile: loaded.system.absPath });
  const valid = await approvalStatus(loaded, fresh, new Date(at.getTime() + 59_000));
  assert.equal(valid.required && valid.approval?.by, 'ada');
  const expired = await approvalStatus(loaded, fresh, new Date(at.getTime() + 60_000));
  assert.ok(expired.required && expired.problemKind === 'expired' && !expired.approval);
  assert.equal((await approvalStatus(await loadExperiment(join(d, 'e.yaml'), { kinds }), join(d, 'none'))).required, true);
});

test('durations take days (an approval lasts 7d by default)', () => {
  assert.equal(parseDuration('7d'), 7 * 86_400_000);
  assert.equal(parseDuration('1d12h'), 36 * 3_600_000);
  assert.equal(parseDuration('30m'), 1_800_000);
  assert.equal(parseDuration('7 days'), undefined);
});
