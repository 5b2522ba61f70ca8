// Approvals through the real CLI against a real process: a run that needs an approval refuses
// (exit 2, nothing touched) until `faultline approve` names its exact content, and again once a
// file changes or the approval expires. docs/approvals.md.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Journal } from '../../src/journal/types.js';
import type { AuditEntry } from '../../src/safety/audit.js';
import { freePort, runCli, tempDir, waitFor, type CliResult } from '../helpers/cli.js';
import { httpOk, isAlive, killHard, procState, startServer } from '../helpers/processes.js';

const cleanups: (() => Promise<void> | void)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

interface Setup {
  dir: string;
  pid: number;
  port: number;
  env: Record<string, string>;
  cli: (args: string[]) => Promise<CliResult>;
  writeSystem: (extra: string) => Promise<void>;
}

/** A temp dir with a running server attached by pid, a system file (with `extra` at its top) and a 300 ms pause of it. */
async function setup(systemTop: string, experimentTop = ''): Promise<Setup> {
  const t = await tempDir('faultline-approvals-');
  cleanups.push(t.cleanup);
  const port = await freePort();
  const server = startServer(port);
  cleanups.push(() => killHard(server.pid));
  await waitFor(() => httpOk(`http://127.0.0.1:${port}/health`), { what: 'the server to answer', timeoutMs: 15_000 });
  const dir = t.path;
  const writeSystem = (top: string) =>
    writeFile(join(dir, 'faultline.yaml'), `${top}services:\n  api:\n    pid: ${server.pid}\n    health: { http: "http://127.0.0.1:${port}/health", timeout: 500ms }\n`);
  await writeSystem(systemTop);
  await writeFile(join(dir, 'pause-api.yaml'), `${experimentTop}title: api survives a pause\nmethod:\n  - fault: pause\n    target: api\n    duration: 300ms\nrecovery: { within: 10s }\n`);
  const env = { FAULTLINE_STATE_DIR: join(dir, '.state') };
  return { dir, pid: server.pid!, port, env, cli: (args) => runCli(args, { cwd: dir, env, timeoutMs: 60_000 }), writeSystem };
}

async function audit(dir: string): Promise<AuditEntry[]> {
  const text = await readFile(join(dir, '.state', 'audit.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEntry);
}

/** Samples the process's state every 5 ms while `during` runs: every state it was seen in. */
async function statesDuring<T>(pid: number, during: () => Promise<T>): Promise<{ result: T; states: Set<string> }> {
  const states = new Set<string>();
  const timer = setInterval(() => states.add(procState(pid) ?? 'gone'), 5);
  try {
    return { result: await during(), states };
  } finally {
    clearInterval(timer);
  }
}

describe('faultline approve and runs that need an approval', () => {
  test('refused without an approval (exit 2, names the file and the approve command, nothing touched), accepted after `faultline approve`; audit and journal record the approver', async () => {
    const s = await setup('requiresApproval: true\n');
    const { result: refused, states } = await statesDuring(s.pid, () => s.cli(['run', 'pause-api.yaml']));
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /pause-api\.yaml needs an approval to run \(the system file faultline\.yaml says requiresApproval: true\), and it has never been approved\. Nothing was touched\./);
    assert.match(refused.stderr, /Approve this content with:\n {2}faultline approve pause-api\.yaml --by NAME \[E_APPROVAL\]/);
    assert.ok(!states.has('T'), `the target was never stopped (states seen: ${[...states].join(', ')})`);
    assert.ok(isAlive(s.pid));
    assert.equal(existsSync(join(s.dir, '.state', 'ledger.jsonl')), false, 'no ledger entry');
    assert.deepEqual((await audit(s.dir)).filter((e) => e.event === 'run-start'), []);

    // --by is a person's word: never defaulted.
    const noBy = await s.cli(['approve', 'pause-api.yaml']);
    assert.equal(noBy.code, 2);
    assert.match(noBy.stderr, /required option '--by <name>'/);
    const bareNumber = await s.cli(['approve', 'pause-api.yaml', '--by', 'x', '--expires', '3600']);
    assert.equal(bareNumber.code, 2);
    assert.match(bareNumber.stderr, /--expires: expected a duration with its unit such as 30m, 12h or 7d, got "3600"/);
    // Validated as `faultline run` would: an invalid experiment cannot be approved.
    await writeFile(join(s.dir, 'broken.yaml'), 'title: b\nmethod:\n  - fault: pause\n    target: apj\n');
    const invalid = await s.cli(['approve', 'broken.yaml', '--by', 'x']);
    assert.equal(invalid.code, 2);
    assert.match(invalid.stderr, /broken\.yaml:4:\d+ at method\[0\]\.target: unknown service "apj"/);

    const approved = await s.cli(['approve', 'pause-api.yaml', '--by', 'Ada Lovelace', '--reason', 'CHG-42']);
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, /approved "api survives a pause"\n {2}file: {4}.*pause-api\.yaml\n {2}system: {2}.*faultline\.yaml\n {2}by: {6}Ada Lovelace \(CHG-42\)\n {2}content: sha256 [0-9a-f]{12}\n {2}expires: \S+ \(in 7d\)/);

    const ran = await s.cli(['run', 'pause-api.yaml', '--report-dir', 'out']);
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    assert.match(ran.stdout, /approved by Ada Lovelace \(CHG-42\) at \S+, valid until \S+ \(sha256 [0-9a-f]{12}\)/);
    const journal = JSON.parse(await readFile(join(s.dir, 'out', 'journal.json'), 'utf8')) as Journal;
    assert.equal(journal.faults[0]!.kind, 'pause');
    assert.equal(journal.faults[0]!.status, 'reverted');
    assert.equal(journal.approval?.by, 'Ada Lovelace');
    assert.equal(journal.approval?.reason, 'CHG-42');
    assert.match(journal.approval!.hash, /^[0-9a-f]{64}$/);
    assert.ok(Date.parse(journal.approval!.expiresAt) - Date.parse(journal.approval!.at) === 7 * 86_400_000);
    assert.match(await readFile(join(s.dir, 'out', 'report.md'), 'utf8'), /approved by Ada Lovelace/);
    const start = (await audit(s.dir)).find((e) => e.event === 'run-start');
    assert.equal(start?.approval?.by, 'Ada Lovelace');
    assert.equal(start?.approval?.hash, journal.approval!.hash);
    assert.ok((await audit(s.dir)).some((e) => e.event === 'approve' && e.approval?.by === 'Ada Lovelace'));
    const listed = await s.cli(['approvals']);
    assert.match(listed.stdout, /by Ada Lovelace {2}VALID until \S+ {2}"api survives a pause"/);
  });

  test('an edit of the experiment invalidates the approval: refused, saying which file changed since whose approval', async () => {
    const s = await setup('requiresApproval: true\n');
    assert.equal((await s.cli(['approve', 'pause-api.yaml', '--by', 'alice'])).code, 0);
    // Reformatting and a comment are the same content; a changed value is not.
    const text = await readFile(join(s.dir, 'pause-api.yaml'), 'utf8');
    await writeFile(join(s.dir, 'pause-api.yaml'), `# reviewed\n${text.replace('recovery: { within: 10s }', 'recovery:\n  within: 10000')}`);
    assert.match((await s.cli(['run', 'pause-api.yaml', '--dry-run'])).stdout, /approval: {3}required .*; approved by alice/);
    await writeFile(join(s.dir, 'pause-api.yaml'), text.replace('300ms', '5s'));
    const { result: refused, states } = await statesDuring(s.pid, () => s.cli(['run', 'pause-api.yaml']));
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /and pause-api\.yaml changed since approval [0-9a-f]{8} by alice \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\)\. Nothing was touched\./);
    assert.ok(!states.has('T'));
    assert.match((await s.cli(['approvals'])).stdout, /by alice {2}FILES CHANGED \(changed since: \S+pause-api\.yaml\)/);
  });

  test('an edit of the system file invalidates the approval, naming the system file', async () => {
    const s = await setup('requiresApproval: true\n');
    assert.equal((await s.cli(['approve', 'pause-api.yaml', '--by', 'bob'])).code, 0);
    await s.writeSystem('requiresApproval: true\nprobeInterval: 100ms\n');
    const refused = await s.cli(['run', 'pause-api.yaml']);
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /and the system file faultline\.yaml changed since approval [0-9a-f]{8} by bob /);
    assert.doesNotMatch(refused.stderr, /pause-api\.yaml changed/);
  });

  test('an expired approval refuses the run and says when it expired', async () => {
    const s = await setup('requiresApproval: true\n');
    const approved = await s.cli(['approve', 'pause-api.yaml', '--by', 'carol', '--expires', '2s', '--json']);
    assert.equal(approved.code, 0, approved.stderr);
    const { expiresAt } = JSON.parse(approved.stdout) as { expiresAt: string };
    // The expiry is a wall-clock instant: wait until it has passed.
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(expiresAt) - Date.now()) + 50));
    const refused = await s.cli(['run', 'pause-api.yaml']);
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, new RegExp(`and its approval by carol \\(\\S+ \\S+\\) expired ${expiresAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}\\.`));
    assert.match((await s.cli(['approvals'])).stdout, /by carol {2}EXPIRED /);
  });

  test('environment: production needs an approval without requiresApproval; the dry run shows the status and never fails for it', async () => {
    const s = await setup('environment: Prod\n');
    const dry = await s.cli(['run', 'pause-api.yaml', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /approval: {3}required \(the system file faultline\.yaml says environment: Prod\); NOT APPROVED: it has never been approved — a real run would refuse \(exit 2\)\. Approve with: faultline approve pause-api\.yaml --by NAME/);
    const refused = await s.cli(['run', 'pause-api.yaml']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /says environment: Prod/);
    assert.equal((await s.cli(['approve', 'pause-api.yaml', '--by', 'dana'])).code, 0);
    assert.match((await s.cli(['run', 'pause-api.yaml', '--dry-run'])).stdout, /approval: {3}required \(.*\); approved by dana at \S+, valid until \S+ \(sha256 [0-9a-f]{12}\)/);
    // A staging system needs none, and the dry run says so.
    await s.writeSystem('environment: staging\n');
    assert.match((await s.cli(['run', 'pause-api.yaml', '--dry-run'])).stdout, /approval: {3}not required/);
  });

  test('the experiment itself can require an approval', async () => {
    const s = await setup('', 'requiresApproval: true\n');
    const refused = await s.cli(['run', 'pause-api.yaml']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /\(pause-api\.yaml says requiresApproval: true\)/);
  });

  test('a catalog experiment is approved as rendered: another --set is other content', async () => {
    const s = await setup('requiresApproval: true\n');
    assert.equal((await s.cli(['approve', 'catalog:service-kill', '--target', 'api', '--set', 'wait=1s', '--by', 'erin'])).code, 0);
    const same = await s.cli(['run', 'catalog:service-kill', '--target', 'api', '--set', 'wait=1s', '--dry-run']);
    assert.match(same.stdout, /approval: {3}required .*; approved by erin/);
    const { result: other, states } = await statesDuring(s.pid, () => s.cli(['run', 'catalog:service-kill', '--target', 'api', '--set', 'wait=2s']));
    assert.equal(other.code, 2, other.stdout + other.stderr);
    assert.match(other.stderr, /catalog:service-kill needs an approval .*, and the rendered catalog:service-kill \(other --target\/--set values, or another faultline version's template\) changed since approval [0-9a-f]{8} by erin/);
    assert.match(other.stderr, /faultline approve catalog:service-kill --by NAME --target api --set wait=2s/);
    assert.ok(isAlive(s.pid) && !states.has('gone'), 'the target was not killed');
    assert.match((await s.cli(['approvals'])).stdout, /by erin {2}VALID until .* catalog:service-kill --target api --set wait=1s/);
  });

  test('quick fault commands refuse on a system that needs an approval: ad-hoc faults cannot be approved', async () => {
    const s = await setup('requiresApproval: true\n');
    const { result: refused, states } = await statesDuring(s.pid, () => s.cli(['pause', 'api', '--for', '1s']));
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /every experiment on this system needs an approval \(the system file faultline\.yaml says requiresApproval: true\), and ad-hoc faults cannot be approved: write an experiment and approve it with `faultline approve FILE --by NAME`/);
    assert.ok(!states.has('T'));
    const kill = await s.cli(['kill', 'api']);
    assert.equal(kill.code, 2);
    assert.match(kill.stderr, /\[E_APPROVAL\]/);
    assert.ok(isAlive(s.pid));
  });
});
