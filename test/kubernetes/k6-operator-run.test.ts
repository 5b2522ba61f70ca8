// load.k6Operator through the real CLI against the stand-in API server: the ConfigMap and TestRun
// it creates (valid against the operator's CRD), the stages it follows, the journal's record, both
// deleted at the end; a cluster without the operator refused before any fault; and kill -9 of
// faultline leaving nothing after `faultline recover`. The stand-in installs only the TestRun CRD,
// so a small imitation of the operator's controller here moves status.stage along.
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MANAGED_BY_LABEL, RUN_ID_LABEL } from '../../src/drivers/kubernetes/leftovers.js';
import type { Journal } from '../../src/journal/types.js';
import { runCli, startCli, waitFor } from '../helpers/cli.js';
import { testRunProblems } from '../helpers/k6-operator-schema.js';
import { validateCoreObject, type KubeObject, type KubeStandIn } from '../helpers/kube/index.js';
import { startShop as startKubernetesShop, type Shop } from './shop.js';

const SCRIPT = "import http from 'k6/http';\nexport default function () { http.get('http://web.shop/'); }\n";


/** The shop of examples/kubernetes on the stand-in, with the k6 operator's CRD or without, and the script. */
async function startShop(k6Operator: boolean): Promise<Shop> {
  const shop = await startKubernetesShop({ chaosMesh: false });
  if (k6Operator) shop.server.installK6Operator();
  await writeFile(join(shop.dir, 'load.js'), SCRIPT);
  return shop;
}

/**
 * The operator's controller, as far as status.stage goes: one stage further every `stepMs`, up to
 * `last`. Each pass reads and writes in one tick of the event loop, so it never races a DELETE
 * into re-creating what faultline deleted.
 */
function imitateOperator(server: KubeStandIn, options: { stepMs: number; last: string }): () => void {
  const order = ['initialization', 'initialized', 'created', 'started', 'stopped', 'finished'];
  const timer = setInterval(() => {
    for (const tr of server.list('testruns', 'shop')) {
      const stage = (tr.status as { stage?: string } | undefined)?.stage ?? '';
      if (stage === options.last || stage === 'error') continue;
      const next = options.last === 'error' && stage === 'initialization' ? 'error' : order[order.indexOf(stage) + 1]!;
      server.apply({ ...tr, status: { ...(tr.status ?? {}), stage: next } });
    }
  }, options.stepMs);
  return () => clearInterval(timer);
}

const experiment = (method: string) => `title: k6 on the cluster\nsystem: ./faultline.yaml\nmethod:\n${method}\nload:\n  k6Operator: { namespace: shop, script: ./load.js, parallelism: 4, arguments: "--vus 20 --duration 1m" }\n`;

async function journalOf(shop: Shop, out: string): Promise<Journal> {
  return JSON.parse(await readFile(join(shop.dir, out, 'journal.json'), 'utf8')) as Journal;
}

const ours = (server: KubeStandIn, plural: string) => server.list(plural, 'shop').filter((o) => o.metadata.labels?.[MANAGED_BY_LABEL] === 'faultline');

describe('load.k6Operator with the operator installed (stand-in API server)', () => {
  let shop: Shop;
  before(async () => {
    shop = await startShop(true);
  });
  after(() => shop.close());

  test('a run creates the ConfigMap and a valid TestRun, follows it to finished, records what it knows, and deletes both', async () => {
    const stop = imitateOperator(shop.server, { stepMs: 150, last: 'finished' });
    const seen: { tr?: KubeObject; cm?: KubeObject } = {};
    // What the cluster held while the run ran, caught before faultline deletes it.
    const watcher = setInterval(() => {
      seen.tr ??= ours(shop.server, 'testruns')[0];
      seen.cm ??= ours(shop.server, 'configmaps')[0];
    }, 20);
    try {
      await writeFile(join(shop.dir, 'run.yaml'), experiment('  - { wait: 3s }'));
      const res = await runCli(['run', 'run.yaml', '--yes', '-r', 'out-run'], { cwd: shop.dir, env: shop.env, timeoutMs: 90_000 });
      assert.equal(res.code, 0, res.stdout + res.stderr);
      const journal = await journalOf(shop, 'out-run');
      const k6 = journal.load?.k6Operator;
      assert.ok(k6, JSON.stringify(journal.load));
      assert.equal(journal.load!.tool, 'k6-operator');
      assert.equal(journal.load!.error, undefined);
      assert.deepEqual(journal.load!.phases, []);
      assert.equal(k6.stage, 'finished');
      assert.deepEqual(
        k6.stages.map((s) => s.stage),
        ['initialization', 'initialized', 'created', 'started', 'stopped', 'finished'].filter((s) => k6.stages.some((x) => x.stage === s)),
        'stages in the operator\'s order',
      );
      assert.equal(k6.stages.at(-1)!.stage, 'finished');
      assert.equal(k6.parallelism, 4);
      assert.equal(k6.cutShort, false);
      assert.equal(k6.deleted, true);
      assert.match(k6.note, /does not collect per-request figures/);
      assert.match(res.stdout, /Load \(k6-operator\): TestRun shop\/faultline-k6-\S+, 4 runners, stage finished; no per-request figures/);

      assert.ok(seen.tr && seen.cm, 'the TestRun and ConfigMap existed during the run');
      assert.deepEqual(testRunProblems({ apiVersion: seen.tr.apiVersion, kind: seen.tr.kind, metadata: {}, spec: seen.tr.spec }), []);
      validateCoreObject(seen.cm as never);
      assert.equal(seen.tr.metadata.name, k6.testRun);
      assert.equal(seen.tr.metadata.labels?.[RUN_ID_LABEL], journal.runId);
      assert.equal((seen.cm.data as Record<string, string>)['load.js'], SCRIPT);
      assert.deepEqual((seen.tr.spec as { script: unknown }).script, { configMap: { name: k6.configMap, file: 'load.js' } });

      assert.deepEqual(ours(shop.server, 'testruns'), [], 'the TestRun is deleted');
      assert.deepEqual(ours(shop.server, 'configmaps'), [], 'the ConfigMap is deleted');
      const deletes = shop.server.requests.filter((r) => r.method === 'DELETE').map((r) => r.path);
      assert.ok(deletes.includes(`/apis/k6.io/v1alpha1/namespaces/shop/testruns/${k6.testRun}`), deletes.join('\n'));
      assert.ok(deletes.includes(`/api/v1/namespaces/shop/configmaps/${k6.configMap}`), deletes.join('\n'));
    } finally {
      clearInterval(watcher);
      stop();
    }
  });

  test('the operator sets stage error: the record says so, where to look, and both are still deleted', async () => {
    const stop = imitateOperator(shop.server, { stepMs: 150, last: 'error' });
    try {
      await writeFile(join(shop.dir, 'err.yaml'), experiment('  - { wait: 2s }'));
      const res = await runCli(['run', 'err.yaml', '--yes', '-r', 'out-err'], { cwd: shop.dir, env: shop.env, timeoutMs: 90_000 });
      const journal = await journalOf(shop, 'out-err');
      assert.equal(journal.load?.k6Operator?.stage, 'error', res.stdout + res.stderr);
      assert.match(journal.load!.error ?? '', /the k6 operator set TestRun shop\/\S+ to stage error(?: after [a-z]+)?; .*kubectl -n shop describe testrun/);
      assert.ok(journal.reasons.some((r) => /^load: the k6 operator set TestRun/.test(r)), journal.reasons.join('\n'));
      assert.deepEqual(ours(shop.server, 'testruns'), []);
      assert.deepEqual(ours(shop.server, 'configmaps'), []);
    } finally {
      stop();
    }
  });

  test('the run ends first: the TestRun is deleted mid-test and the record says it was cut short', async () => {
    const stop = imitateOperator(shop.server, { stepMs: 100, last: 'started' });
    try {
      await writeFile(join(shop.dir, 'short.yaml'), experiment('  - { wait: 2s }'));
      const res = await runCli(['run', 'short.yaml', '--yes', '-r', 'out-short'], { cwd: shop.dir, env: shop.env, timeoutMs: 90_000 });
      assert.equal(res.code, 0, res.stdout + res.stderr);
      const k6 = (await journalOf(shop, 'out-short')).load?.k6Operator;
      assert.equal(k6?.stage, 'started');
      assert.equal(k6.cutShort, true);
      assert.equal(k6.deleted, true);
      assert.deepEqual(ours(shop.server, 'testruns'), []);
    } finally {
      stop();
    }
  });

  test('kill -9 of faultline: `faultline recover` deletes the TestRun and the ConfigMap from the ledger\'s record', async () => {
    const stop = imitateOperator(shop.server, { stepMs: 100, last: 'started' });
    try {
      await writeFile(join(shop.dir, 'long.yaml'), experiment('  - { wait: 60s }'));
      const cli = startCli(['run', 'long.yaml', '--yes', '--no-reaper', '-r', 'out-killed'], { cwd: shop.dir, env: shop.env, timeoutMs: 90_000 });
      await waitFor(() => ours(shop.server, 'testruns').length === 1 && ours(shop.server, 'configmaps').length === 1, { what: 'the TestRun and ConfigMap', timeoutMs: 30_000 });
      cli.child.kill('SIGKILL');
      await cli.done;
      assert.equal(ours(shop.server, 'testruns').length, 1, 'nothing deleted it yet');
      const res = await runCli(['recover'], { cwd: shop.dir, env: shop.env });
      assert.equal(res.code, 0, res.stdout + res.stderr);
      assert.match(res.stdout, /reverted k6-operator-load on TestRun shop\/faultline-k6-\S+ \(context stand-in/);
      assert.deepEqual(ours(shop.server, 'testruns'), []);
      assert.deepEqual(ours(shop.server, 'configmaps'), []);
    } finally {
      stop();
    }
  });

  test('kill -9 of faultline with its reaper: the reaper deletes them', async () => {
    const stop = imitateOperator(shop.server, { stepMs: 100, last: 'started' });
    try {
      await writeFile(join(shop.dir, 'long.yaml'), experiment('  - { wait: 60s }'));
      const cli = startCli(['run', 'long.yaml', '--yes', '-r', 'out-reaped'], { cwd: shop.dir, env: shop.env, timeoutMs: 90_000 });
      await waitFor(() => ours(shop.server, 'testruns').length === 1 && ours(shop.server, 'configmaps').length === 1, { what: 'the TestRun and ConfigMap', timeoutMs: 30_000 });
      cli.child.kill('SIGKILL');
      await cli.done;
      await waitFor(() => ours(shop.server, 'testruns').length === 0 && ours(shop.server, 'configmaps').length === 0, { what: 'the reaper to delete the TestRun and ConfigMap', timeoutMs: 30_000 });
    } finally {
      stop();
    }
  });

  test('the ledger lost too: `faultline recover` finds them by their labels', async () => {
    const stop = imitateOperator(shop.server, { stepMs: 100, last: 'started' });
    try {
      await writeFile(join(shop.dir, 'long.yaml'), experiment('  - { wait: 60s }'));
      const cli = startCli(['run', 'long.yaml', '--yes', '--no-reaper', '-r', 'out-lost'], { cwd: shop.dir, env: shop.env, timeoutMs: 90_000 });
      await waitFor(() => ours(shop.server, 'testruns').length === 1 && ours(shop.server, 'configmaps').length === 1, { what: 'the TestRun and ConfigMap', timeoutMs: 30_000 });
      cli.child.kill('SIGKILL');
      await cli.done;
      await rm(join(shop.dir, '.faultline'), { recursive: true, force: true });
      const res = await runCli(['recover'], { cwd: shop.dir, env: shop.env });
      assert.equal(res.code, 0, res.stdout + res.stderr);
      assert.match(res.stdout, /deleted testruns shop\/faultline-k6-\S+ \(run \S+, found by its labels in context stand-in\)/);
      assert.match(res.stdout, /deleted configmaps shop\/faultline-k6-\S+-script \(run \S+, found by its labels in context stand-in\)/);
      assert.deepEqual(ours(shop.server, 'testruns'), []);
      assert.deepEqual(ours(shop.server, 'configmaps'), []);
    } finally {
      stop();
    }
  });

  test('a cluster is beyond this machine: without --yes the run asks, naming the load, and creates nothing', async () => {
    await writeFile(join(shop.dir, 'ask.yaml'), experiment('  - { wait: 1s }'));
    const before = shop.server.requests.length;
    const res = await runCli(['run', 'ask.yaml', '-r', 'out-ask'], { cwd: shop.dir, env: shop.env, timeoutMs: 60_000 });
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /this run targets systems beyond this machine:\n {2}- load: a k6 operator TestRun of 4 runners in shop \(context stand-in \(http:\/\/127\.0\.0\.1:\d+\)\)\n.*pass --yes/s);
    const writes = shop.server.requests.slice(before).filter((r) => r.method !== 'GET');
    assert.deepEqual(writes, []);
  });
});

describe('load.k6Operator on a cluster without the operator (stand-in API server)', () => {
  let shop: Shop;
  before(async () => {
    shop = await startShop(false);
  });
  after(() => shop.close());

  test('refused in preflight, naming the CRD and the install docs, before any fault and before anything is created', async () => {
    await writeFile(join(shop.dir, 'nocrd.yaml'), experiment('  - { fault: pod-delete, target: cart, mode: one }'));
    const res = await runCli(['run', 'nocrd.yaml', '--yes', '-r', 'out-nocrd'], { cwd: shop.dir, env: shop.env, timeoutMs: 90_000 });
    assert.notEqual(res.code, 0);
    const journal = await journalOf(shop, 'out-nocrd');
    assert.ok(
      journal.reasons.some((r) => /^load: the k6 operator is not installed in context stand-in .*: it has no CustomResourceDefinition testruns\.k6\.io\. Install the operator \(https:\/\/grafana\.com\/docs\/k6\/latest\/set-up\/set-up-distributed-k6\/install-k6-operator\/\)/.test(r)),
      journal.reasons.join('\n'),
    );
    assert.deepEqual(journal.faults, []);
    const writes = shop.server.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(writes.filter((w) => /pods|testruns|configmaps/.test(w)), [], 'no pod deleted, nothing created');
  });
});
