// The catalog through the real CLI: every template renders and validates against the demo shop's
// system file; `experiments list/show`; bad names and parameters are exit 2 with a clear message,
// and nothing is touched.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { writeShopFiles } from '../../src/demo/files.js';
import { CATALOG } from '../../src/catalog/registry.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { freeBasePort } from '../demo/helpers.js';
import { CASES } from './cases.js';

let dir: { path: string; cleanup: () => Promise<void> };
let direct: { path: string; cleanup: () => Promise<void> };
let basePort: number;
const stateDir = () => join(dir.path, 'state-never-created');
const cli = (args: string[], cwd = dir.path) => runCli(args, { cwd, env: { FAULTLINE_STATE_DIR: stateDir() }, timeoutMs: 30_000 });

before(async () => {
  dir = await tempDir('faultline-catalog-cli-');
  direct = await tempDir('faultline-catalog-direct-');
  basePort = await freeBasePort();
  await writeShopFiles(dir.path, { mode: 'resilient', basePort, dataDir: join(dir.path, 'data'), runtime: 'compiled', set: 'quick' });
  // The same shop without proxies: network templates have no link to act on.
  await writeShopFiles(direct.path, { mode: 'fragile', basePort, dataDir: join(direct.path, 'data'), runtime: 'compiled', set: 'quick', proxies: false });
});
after(async () => {
  await dir.cleanup();
  await direct.cleanup();
});

describe('faultline experiments list', () => {
  it('--json lists every template with its description and parameters', async () => {
    const res = await cli(['experiments', 'list', '--json']);
    assert.equal(res.code, 0, res.stderr);
    const { experiments } = JSON.parse(res.stdout) as { experiments: { name: string; description: string; hypothesis: string; parameters: { name: string; required: boolean; description: string; default?: string }[] }[] };
    const names = experiments.map((e) => e.name);
    for (const required of [
      'service-kill',
      'random-kill',
      'cascading-failure',
      'multiple-concurrent-failures',
      'dependency-latency',
      'network-partition',
      'cache-unavailability',
      'database-outage',
      'resource-exhaustion',
      'load-with-chaos',
      'circuit-breaker-validation',
      'retry-validation',
      'full-resilience-suite',
      'disaster-recovery',
    ]) {
      assert.ok(names.includes(required), `${required} is in the catalog`);
    }
    for (const e of experiments) {
      assert.ok(e.description.length > 20 && !e.description.includes('\n'), `${e.name} has a one-line description`);
      assert.ok(e.hypothesis.length > 20, `${e.name} states its hypothesis`);
      for (const p of e.parameters) assert.ok(p.description && (p.required || p.default !== undefined), `${e.name}.${p.name} is described, and required or defaulted`);
    }
    assert.deepEqual(experiments.find((e) => e.name === 'service-kill')!.parameters.find((p) => p.name === 'target'), { name: 'target', type: 'service', required: true, description: 'the service to kill' });
  });

  it('prints every template and how to pass its parameters', async () => {
    const res = await cli(['experiments', 'list']);
    assert.equal(res.code, 0);
    for (const t of CATALOG) assert.match(res.stdout, new RegExp(`^${t.name}\\n  ${t.description.replace(/[()*.?]/g, '\\$&')}`, 'm'));
    assert.match(res.stdout, /--set within=\s+every service healthy again within this after the last fault ends \(default: 30s\)/);
    assert.match(res.stdout, /needs: root/);
  });
});

describe('every catalog experiment renders and validates against the demo shop', () => {
  for (const c of CASES) {
    it(`catalog:${c.name}${c.variant ? ` (${c.variant})` : ''}`, async () => {
      const res = await cli(['validate', `catalog:${c.name}`, ...c.args(basePort)]);
      assert.equal(res.code, 0, res.stdout + res.stderr);
      assert.equal(res.stdout, `ok   catalog:${c.name} (experiment)\n`);
    });
  }

  it('covers the whole catalog', () => {
    assert.deepEqual(
      [...new Set(CASES.map((c) => c.name))].sort(),
      CATALOG.map((t) => t.name).sort(),
    );
  });

  it('show prints YAML that, saved as a file, validates and runs the same (copy and edit)', async () => {
    const res = await cli(['experiments', 'show', 'database-outage', '--target', 'store', '--set', 'duration=5s', '--set', 'caller=cart']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^# catalog:database-outage --target store --set duration=5s --set caller=cart: /);
    const doc = parse(res.stdout) as { title: string; method: unknown[]; hypothesis: { probes: { name: string; metrics?: { url: string; name: string; labels: Record<string, string> }; expect?: unknown }[] } };
    assert.deepEqual(doc.method, [{ fault: 'pause', target: 'store', duration: '5s' }]);
    const breaker = doc.hypothesis.probes.find((p) => p.metrics)!;
    assert.deepEqual(breaker.metrics, { url: `http://127.0.0.1:${basePort + 2}/metrics`, name: 'shop_breaker_opened_total', labels: { dependency: 'store' } });
    assert.deepEqual(breaker.expect, { increase: { min: 1 } });
    assert.deepEqual(doc.hypothesis.probes[0]!, {
      name: `127.0.0.1:${basePort}/health answers`,
      http: `http://127.0.0.1:${basePort}/health`,
      timeout: 2000,
      expect: { status: [200, 503], latency: { max: 1000 } },
      throughout: true,
    });
    await writeFile(join(dir.path, 'db-outage.yaml'), res.stdout);
    const valid = await cli(['validate', 'db-outage.yaml']);
    assert.equal(valid.code, 0, valid.stderr);
  });

  it('the metrics URL defaults to the target\'s health origin + /metrics; --set metrics overrides it', async () => {
    const show = async (...set: string[]) => JSON.parse((await cli(['experiments', 'show', 'retry-validation', '--target', 'catalog', '--set', 'dependency=store', '--json', ...set])).stdout) as { hypothesis: { probes: { metrics?: { url: string } }[] } };
    assert.equal((await show()).hypothesis.probes[0]!.metrics!.url, `http://127.0.0.1:${basePort + 1}/metrics`);
    assert.equal((await show('--set', 'metrics=http://10.0.0.1:9090/prom')).hypothesis.probes[0]!.metrics!.url, 'http://10.0.0.1:9090/prom');
  });

  it('run --dry-run prints the plan of a catalog experiment and touches nothing', async () => {
    const res = await cli(['run', 'catalog:service-kill', '--target', 'cart', '--dry-run']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /kill/);
    assert.match(res.stdout, /cart/);
    assert.equal(existsSync(stateDir()), false);
  });
});

describe('bad input: exit 2, a message that says what to do, nothing touched', () => {
  const cases: { args: string[]; message: RegExp; cwd?: () => string }[] = [
    { args: ['run', 'catalog:nope'], message: /catalog:nope: unknown catalog experiment "nope" \(`faultline experiments list` shows all 17: service-kill, /m },
    { args: ['run', 'catalog:service-kil', '--target', 'catalog'], message: /unknown catalog experiment "service-kil"; did you mean "service-kill"\?/ },
    { args: ['run', 'catalog:circuit-breaker', '--target', 'cart'], message: /did you mean "circuit-breaker-validation"\?/ },
    { args: ['run', 'catalog:service-kill'], message: /catalog:service-kill at target: missing required parameter "target" \(the service to kill\): pass --target <service> \(the system file defines: store, cache, payments, catalog, cart, gateway\)/ },
    { args: ['run', 'catalog:service-kill', '--target', 'catlog'], message: /catalog:service-kill at target: unknown service "catlog" \(did you mean "catalog"\?\)/ },
    { args: ['run', 'catalog:service-kill', '--target', 'cart', '--set', 'wiat=3s'], message: /catalog:service-kill at wiat: unknown parameter "wiat" \(did you mean "wait"\?\); catalog:service-kill takes: target, signal, wait/ },
    { args: ['run', 'catalog:service-kill', '--target', 'cart', '--set', 'wait=soon'], message: /at wait: expected a duration such as 500ms, 5s or 1m30s, got "soon"/ },
    { args: ['run', 'catalog:service-kill', '--target', 'cart', '--set', 'wait'], message: /at --set: expected --set name=value, got "wait"/ },
    { args: ['run', 'catalog:multiple-concurrent-failures'], message: /at targets: missing required parameter "targets" .*: pass --set targets=<service,service,…>/ },
    { args: ['run', 'catalog:multiple-concurrent-failures', '--target', 'cart'], message: /expected two or more services to kill together, got cart: pass --set targets=a,b/ },
    { args: ['run', 'catalog:circuit-breaker-validation', '--target', 'cart'], message: /at dependency: cart has several dependencies \(store, cache, payments\), so which one fails is yours to say: pass --set dependency=<service>/ },
    { args: ['run', 'catalog:circuit-breaker-validation', '--target', 'gateway', '--set', 'dependency=catalog', '--set', 'rate=0'], message: /at rate: a breaker or a retry only acts on calls: pass --set rate=/ },
    { args: ['run', 'catalog:load-with-chaos', '--target', 'cart', '--set', 'rate=fast'], message: /at rate: expected a rate such as 500\/s/ },
    { args: ['run', 'catalog:network-partition', '--target', 'cart.nope'], message: /at target: expected a service or a proxy link \(caller.dependency\), got "cart.nope"; .* and links catalog.store, / },
    { args: ['run', 'catalog:dependency-latency', '--target', 'store'], message: /at target: no proxy link leads to store, so the fault proxy cannot reach its traffic: declare `proxies:`/, cwd: () => direct.path },
    { args: ['run', 'catalog:service-kill', '--target', 'cart', '--system', 'missing.yaml'], message: /catalog:service-kill at system: system file not found: .*missing\.yaml/ },
    { args: ['run', 'catalog:service-kill', '--target', 'cart'], message: /no system file: \.\/faultline\.yaml does not exist here .*; name one with --system FILE/, cwd: () => join(dir.path, 'data-none') },
    { args: ['run', 'service-kill.yaml', '--target', 'cart'], message: /--target and --set are parameters of catalog experiments \(catalog:<name>\), not of a file such as service-kill\.yaml/ },
    { args: ['validate', 'catalog:disaster-recovery', '--target', 'cart,cash'], message: /^error catalog:disaster-recovery at targets: unknown service "cash" \(did you mean "cache"\?\)/ },
    { args: ['experiments', 'show', 'nope'], message: /unknown catalog experiment "nope"/ },
  ];
  for (const c of cases) {
    it(c.args.join(' '), async () => {
      const cwd = c.cwd?.() ?? dir.path;
      if (!existsSync(cwd)) await import('node:fs/promises').then((fs) => fs.mkdir(cwd, { recursive: true }));
      const res = await cli(c.args, cwd);
      assert.equal(res.code, 2, res.stdout + res.stderr);
      assert.match(res.stderr, c.message);
      assert.equal(existsSync(stateDir()), false, 'no state dir: nothing was touched');
      assert.equal(await listening(basePort), false, 'no shop service was started');
    });
  }
});

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
