// The suite's files: the system file and every experiment validate with the real loader (the
// ones needing the proxy or the load block once those land), and the port layout holds together.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, test } from 'node:test';
import { join } from 'node:path';
import { availableFeatures, writeShopFiles } from '../../src/demo/files.js';
import { shopSuite } from '../../src/demo/experiments/suite.js';
import { loadSuite } from '../../src/demo/experiments/load-suite.js';
import { freeBasePort } from '../../src/demo/shop/free-ports.js';
import { shopSystem } from '../../src/demo/shop/system.js';
import { edges, PORT_SPAN, proxyPort, SHOP_MODES, SHOP_SERVICES, servicePort } from '../../src/demo/shop/topology.js';
import { faultRegistry } from '../../src/drivers/index.js';
import { loadExperiment } from '../../src/experiment/loader/load-experiment.js';
import { loadSystem } from '../../src/experiment/loader/load-system.js';
import { loadSchema, slosSchema } from '../../src/experiment/schema/load.js';
import { systemSchema } from '../../src/experiment/schema/system.js';
import { tempDir } from '../helpers/cli.js';

const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

test('every service and every proxy has its own port inside the span', () => {
  const base = 30_000;
  const ports = [...SHOP_SERVICES.map((s) => servicePort(base, s)), ...edges().map((e) => proxyPort(base, e.caller, e.dependency))];
  assert.equal(new Set(ports).size, ports.length);
  assert.ok(ports.every((p) => p >= base && p < base + PORT_SPAN));
});

test('freeBasePort takes the preferred span only when every port of it is free', async () => {
  const preferred = await freeBasePort(null);
  assert.equal(await freeBasePort(preferred), preferred);
  const squatter = createServer().listen(preferred + 12, '127.0.0.1');
  await new Promise((r) => squatter.once('listening', r));
  try {
    const other = await freeBasePort(preferred);
    assert.notEqual(other, preferred);
    assert.ok(other >= 20_000 && other + PORT_SPAN <= 32_768);
  } finally {
    squatter.close();
  }
});

test('the system file routes every call through a proxy named after the dependency, or straight to it', () => {
  const viaProxy = systemSchema.parse(shopSystem({ mode: 'resilient', basePort: 30_000, dataDir: '/tmp/x', proxies: true, runtime: 'source' }));
  assert.deepEqual(viaProxy.services.gateway!.proxies, [
    { name: 'catalog', listen: `127.0.0.1:${proxyPort(30_000, 'gateway', 'catalog')}`, upstream: '127.0.0.1:30001' },
    { name: 'cart', listen: `127.0.0.1:${proxyPort(30_000, 'gateway', 'cart')}`, upstream: '127.0.0.1:30002' },
  ]);
  assert.equal(viaProxy.services.gateway!.process!.env!.SHOP_CATALOG_URL, `http://127.0.0.1:${proxyPort(30_000, 'gateway', 'catalog')}`);
  assert.deepEqual(viaProxy.services.cart!.dependsOn, ['store', 'cache', 'payments']);
  const direct = systemSchema.parse(shopSystem({ mode: 'fragile', basePort: 30_000, dataDir: '/tmp/x', proxies: false, runtime: 'source' }));
  assert.deepEqual(direct.services.gateway!.proxies, []);
  assert.equal(direct.services.gateway!.process!.env!.SHOP_CATALOG_URL, 'http://127.0.0.1:30001');
  assert.equal(direct.services.store!.process!.restart!.policy, 'never');
  assert.equal(viaProxy.services.store!.process!.restart!.policy, 'always');
});

test('suite names are unique, the quick subset is small, and expectations are stated', () => {
  const all = [...shopSuite({ basePort: 30_000 }), ...loadSuite({ basePort: 30_000 })];
  assert.equal(new Set(all.map((e) => e.name)).size, all.length);
  const quick = all.filter((e) => e.set === 'quick');
  assert.deepEqual(
    quick.map((e) => e.name),
    ['service-kill', 'cache-outage', 'database-outage'],
  );
  assert.ok(quick.every((e) => e.needs.every((n) => n === 'load')), 'the quick subset runs with process faults alone (under load)');
  assert.ok(all.every((e) => e.expected.resilient === 'held'));
});

for (const mode of SHOP_MODES) {
  describe(`${mode} files`, async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    const files = await writeShopFiles(dir.path, { mode, basePort: 30_100, dataDir: join(dir.path, 'data'), set: 'all', include: 'all' });
    const have = availableFeatures();

    test('the system file loads', async () => {
      const loaded = await loadSystem(files.systemFile);
      assert.deepEqual(Object.keys(loaded.system.services).sort(), [...SHOP_SERVICES].sort());
    });

    for (const { entry, file } of files.experiments) {
      const missing = entry.needs.filter((n) => !have.has(n));
      test(`${entry.name} validates`, { skip: missing.length ? `needs ${missing.join(' and ')}, not in this faultline yet` : false }, async () => {
        const loaded = await loadExperiment(file, { kinds: faultRegistry() });
        assert.equal(loaded.system.absPath, files.systemFile);
      });
    }
  });
}

test('writeShopFiles writes only what this faultline can run, and says what it skipped', async () => {
  const dir = await tempDir();
  cleanups.push(dir.cleanup);
  const files = await writeShopFiles(dir.path, { mode: 'resilient', basePort: 30_200, dataDir: join(dir.path, 'data'), set: 'quick' });
  assert.deepEqual(
    files.experiments.map((e) => e.entry.name),
    ['service-kill', 'cache-outage', 'database-outage'],
  );
  const have = availableFeatures();
  const defaults = await writeShopFiles(dir.path, { mode: 'resilient', basePort: 30_200, dataDir: join(dir.path, 'data') });
  assert.ok([...defaults.experiments, ...defaults.skipped].every(({ entry }) => entry.set !== 'extended'), 'the default run leaves the extended ones out');
  const full = await writeShopFiles(dir.path, { mode: 'resilient', basePort: 30_200, dataDir: join(dir.path, 'data'), set: 'all' });
  for (const { entry, missing } of full.skipped) assert.ok(missing.length > 0 && missing.every((m) => !have.has(m)), entry.name);
  assert.equal(full.experiments.length + full.skipped.length, shopSuite({ basePort: 1 }).length + loadSuite({ basePort: 1 }).length);
});

test('the experiments under load: their load and slos blocks parse with the load schema', () => {
  const underLoad = [...shopSuite({ basePort: 30_300 }), ...loadSuite({ basePort: 30_300 })].filter((e) => e.needs.includes('load'));
  assert.deepEqual(
    underLoad.map((e) => e.name),
    ['service-kill', 'cache-outage', 'database-outage', 'cache-outage-under-load'],
  );
  for (const entry of underLoad) {
    const { load, slos } = entry.experiment as unknown as { load: unknown; slos: unknown };
    const spec = loadSchema.parse(load);
    assert.ok('url' in spec && spec.rate === 40 && spec.requests.length === 3, entry.name);
    assert.ok(slosSchema.parse(slos).length >= 2, entry.name);
  }
});
