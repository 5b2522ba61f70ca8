// Chaos Mesh faults of kubernetes services through the real CLI against the stand-in API server
// (which validates every chaos object against Chaos Mesh's published CRD schemas and imitates its
// controller's status): created, awaited, deleted; refused without Chaos Mesh; undone when the
// injection fails, when faultline is killed (the reaper, or `faultline recover`), and when the
// ledger is lost (by label).
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, startCli, waitFor } from '../helpers/cli.js';
import { waitForOutput } from '../helpers/wait.js';
import { chaosMeshDir } from '../helpers/kube/index.js';
import { startShop, writeExperiment, type Shop } from './shop.js';
import { existsSync } from 'node:fs';

// Without ../shared the stand-in installs minimal CRDs and validates nothing (it says so once): the
// tests still show the life of each resource, not that Chaos Mesh would accept it.
const validated = chaosMeshDir !== undefined && existsSync(chaosMeshDir);

const DELAY = (duration: string) => `title: delay\nsystem: ./faultline.yaml\nmethod:\n  - { fault: net-delay, target: cart, delay: 200ms, jitter: 20ms, mode: { fixed: 2 }, duration: ${duration} }\nrecovery: { within: 20s, sustained: 2 }\n`;

describe(`kubernetes Chaos Mesh faults (stand-in API server${validated ? ', objects validated against the published CRDs' : ', CRD schemas absent: not validated'})`, () => {
  let shop: Shop;
  before(async () => {
    shop = await startShop();
  });
  after(() => shop?.close());

  test('net-delay becomes a NetworkChaos with the step\'s duration, labelled with the run and host; applied once injected, deleted on revert', async () => {
    const file = await writeExperiment(shop, 'delay.yaml', DELAY('2s'));
    const cli = startCli(['run', file, '--yes', '-r', 'out-delay'], { cwd: shop.dir, env: shop.env, timeoutMs: 60_000 });
    const held = await waitFor(() => shop.server.activeChaos()[0], { what: 'an injected NetworkChaos', timeoutMs: 20_000 });
    assert.equal(held.kind, 'NetworkChaos');
    assert.equal(held.metadata.namespace, 'shop');
    assert.equal(held.metadata.labels!['app.kubernetes.io/managed-by'], 'faultline');
    assert.match(held.metadata.labels!['faultline.dev/run-id']!, /^\d{8}T\d{6}-[0-9a-f]+$/);
    assert.equal(held.metadata.labels!['faultline.dev/host'], hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 63));
    assert.deepEqual(held.spec.selector, { namespaces: ['shop'], labelSelectors: { app: 'cart' } });
    assert.deepEqual([held.spec.mode, held.spec.value, held.spec.action, held.spec.delay.latency, held.spec.delay.jitter], ['fixed', '2', 'delay', '200ms', '20ms']);
    assert.equal(held.spec.duration, '12s', 'the step\'s 2 s plus the 10 s margin');
    await waitForOutput(cli.output, /inject net-delay → cart/);
    const res = await cli.done;
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.equal(shop.server.list('networkchaos', 'shop').length, 0, 'deleted on revert');
    assert.match(res.stdout, /revert net-delay → cart/);
  });

  test('an injection Chaos Mesh reports failed aborts the run with its message, and the resource is deleted', async () => {
    shop.server.failChaosInjection((o) => (o.kind === 'NetworkChaos' ? 'unable to flush ip sets for pod cart-x' : undefined));
    try {
      const file = await writeExperiment(shop, 'delay-fails.yaml', DELAY('2s'));
      const res = await runCli(['run', file, '--yes', '-r', 'out-fail'], { cwd: shop.dir, env: shop.env, timeoutMs: 60_000 });
      assert.equal(res.code, 3, res.stdout + res.stderr);
      assert.match(res.stdout, /inject failed net-delay → cart .*NetworkChaos shop\/faultline-net-delay-[0-9a-f]+: shop\/cart-\S+: unable to flush ip sets for pod cart-x/);
      assert.equal(shop.server.list('networkchaos', 'shop').length, 0);
    } finally {
      shop.server.failChaosInjection(undefined);
    }
  });

  test('kill -9 of faultline while it holds a NetworkChaos: its reaper deletes it', async () => {
    const file = await writeExperiment(shop, 'delay-long.yaml', DELAY('60s'));
    const cli = startCli(['run', file, '--yes', '-r', 'out-reaped'], { cwd: shop.dir, env: shop.env, timeoutMs: 90_000 });
    await waitForOutput(cli.output, /inject net-delay → cart .* for 1m/, { timeoutMs: 30_000 });
    assert.equal(shop.server.list('networkchaos', 'shop').length, 1);
    cli.child.kill('SIGKILL');
    await cli.done;
    await waitFor(() => shop.server.list('networkchaos', 'shop').length === 0, { what: 'the reaper to delete the NetworkChaos', timeoutMs: 30_000 });
  });

  test('kill -9 without a reaper: `faultline recover` deletes it from the ledger\'s record', async () => {
    const file = await writeExperiment(shop, 'delay-long.yaml', DELAY('60s'));
    const cli = startCli(['run', file, '--yes', '--no-reaper', '-r', 'out-recover'], { cwd: shop.dir, env: shop.env, timeoutMs: 90_000 });
    await waitForOutput(cli.output, /inject net-delay → cart .* for 1m/, { timeoutMs: 30_000 });
    cli.child.kill('SIGKILL');
    await cli.done;
    assert.equal(shop.server.list('networkchaos', 'shop').length, 1, 'nothing deleted it yet');
    const res = await runCli(['recover'], { cwd: shop.dir, env: shop.env });
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /reverted net-delay on cart \(3 pods of deployment cart in shop, context stand-in .*\) \(run \S+, fault f-[0-9a-f]+\)/);
    assert.equal(shop.server.list('networkchaos', 'shop').length, 0);
  });

  test('the ledger lost too: `faultline recover` finds this host\'s leftovers by label and deletes them; another host\'s it leaves, saying why', async () => {
    const file = await writeExperiment(shop, 'delay-long.yaml', DELAY('60s'));
    const cli = startCli(['run', file, '--yes', '--no-reaper', '-r', 'out-lost'], { cwd: shop.dir, env: shop.env, timeoutMs: 90_000 });
    await waitForOutput(cli.output, /inject net-delay → cart .* for 1m/, { timeoutMs: 30_000 });
    cli.child.kill('SIGKILL');
    await cli.done;
    await rm(join(shop.dir, '.faultline'), { recursive: true, force: true });
    const mine = shop.server.list('networkchaos', 'shop')[0]!;
    const other = structuredClone(mine);
    other.metadata = { name: 'faultline-net-delay-elsewhere', namespace: 'shop', labels: { ...mine.metadata.labels, 'faultline.dev/host': 'another-laptop', 'faultline.dev/run-id': '20261205T000000-abcdef' } };
    delete other.status;
    shop.server.apply(other);
    const res = await runCli(['recover'], { cwd: shop.dir, env: shop.env });
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout, new RegExp(`deleted networkchaos shop/${mine.metadata.name} \\(run \\S+, found by its labels in context stand-in\\)`));
    assert.match(res.stdout, /left {4}networkchaos shop\/faultline-net-delay-elsewhere: created from host another-laptop, whose run may still be alive \(--all-hosts to delete it\)/);
    assert.deepEqual(shop.server.list('networkchaos', 'shop').map((o) => o.metadata.name), ['faultline-net-delay-elsewhere']);
    const all = await runCli(['recover', '--all-hosts'], { cwd: shop.dir, env: shop.env });
    assert.equal(all.code, 0, all.stdout + all.stderr);
    assert.equal(shop.server.list('networkchaos', 'shop').length, 0);
  });
});

describe('kubernetes Chaos Mesh faults without Chaos Mesh', () => {
  test('a Chaos Mesh fault is refused before anything is created, naming the missing CRD', async () => {
    const shop = await startShop({ chaosMesh: false });
    try {
      const file = await writeExperiment(shop, 'delay.yaml', DELAY('2s'));
      const res = await runCli(['run', file, '--yes', '-r', 'out'], { cwd: shop.dir, env: shop.env, timeoutMs: 60_000 });
      assert.equal(res.code, 3, res.stdout + res.stderr);
      assert.match(res.stdout, /net-delay on Kubernetes needs Chaos Mesh: the CustomResourceDefinition networkchaos\.chaos-mesh\.org is not installed in context stand-in/);
      assert.ok(!shop.server.requests.some((r) => r.method === 'POST' && r.path.includes('chaos-mesh.org')));
    } finally {
      await shop.close();
    }
  });
});
