// `faultline init --kubernetes -n NAMESPACE` against the stand-in API server holding the example
// shop: one service per workload, dependsOn from the environment values that name a Service, the
// readiness probe and the Services as comments, and a file faultline itself accepts.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { runCli } from '../helpers/cli.js';
import { startShop, type Shop } from './shop.js';

describe('faultline init --kubernetes (stand-in API server)', () => {
  let shop: Shop;
  let env: Record<string, string>;
  before(async () => {
    shop = await startShop();
    env = { ...shop.env, KUBECONFIG: shop.server.kubeconfigPath };
  });
  after(() => shop.close());

  test('writes the shop: workloads as services, cart depends on redis (REDIS_URL), the namespace as the allow-list; validate accepts it', async () => {
    const res = await runCli(['init', '--kubernetes', '-n', 'shop', '-o', 'generated.yaml'], { cwd: shop.dir, env });
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /wrote generated\.yaml: 3 services from namespace shop in context stand-in \(http:\/\/127\.0\.0\.1:\d+\)/);
    assert.match(res.stdout, / {2}cart {3}deployment cart, health: all pods Ready {2}dependsOn redis/);
    const text = await readFile(join(shop.dir, 'generated.yaml'), 'utf8');
    const system = parse(text) as { kubernetes: { context: string; namespaces: string[] }; services: Record<string, { kubernetes: Record<string, string>; dependsOn?: string[] }> };
    assert.deepEqual(system.kubernetes, { context: 'stand-in', namespaces: ['shop'] });
    assert.deepEqual(system.services.cart, { kubernetes: { namespace: 'shop', deployment: 'cart' }, dependsOn: ['redis'] });
    assert.deepEqual(system.services.web, { kubernetes: { namespace: 'shop', deployment: 'web' } });
    assert.deepEqual(system.services.redis, { kubernetes: { namespace: 'shop', statefulSet: 'redis' } });
    assert.match(text, /# readiness probe of cart: HTTP GET \/ on port 5678/);
    assert.match(text, /# Service cart \(80→5678\): in the cluster, http:\/\/cart\.shop\.svc:80\//);
    assert.match(text, /# readiness probe of redis: exec redis-cli ping/);
    const check = await runCli(['validate', 'generated.yaml'], { cwd: shop.dir, env });
    assert.equal(check.code, 0, check.stdout + check.stderr);
    const health = await runCli(['health', '--system', 'generated.yaml', '--json'], { cwd: shop.dir, env });
    assert.equal(health.code, 0, health.stdout + health.stderr);
  });

  test('faultline dashboard shows each kubernetes service\'s pods: Ready of wanted, restarts, the workload', async () => {
    const res = await runCli(['dashboard', '--once', '--json'], { cwd: shop.dir, env });
    assert.equal(res.code, 0, res.stderr);
    const snap = JSON.parse(res.stdout) as { services: { name: string; kind: string; state: string; replicas: { running: number; desired: number }; detail: string; health: { status: string } }[] };
    const cart = snap.services.find((s) => s.name === 'cart')!;
    assert.deepEqual([cart.kind, cart.state, cart.replicas, cart.detail, cart.health.status], ['kubernetes', 'running', { running: 3, desired: 3 }, 'deployment cart in shop', 'healthy']);
  });

  test('refusals change nothing: kube-system, a namespace that does not exist, no -n, an existing file', async () => {
    const system = await runCli(['init', '--kubernetes', '-n', 'kube-system', '--stdout'], { cwd: shop.dir, env });
    assert.equal(system.code, 2);
    assert.match(system.stderr, /kube-system is never a target/);
    const missing = await runCli(['init', '--kubernetes', '-n', 'payments', '--stdout'], { cwd: shop.dir, env });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /namespace payments not found in context stand-in/);
    const noNs = await runCli(['init', '--kubernetes', '--stdout'], { cwd: shop.dir, env });
    assert.equal(noNs.code, 2);
    assert.match(noNs.stderr, /--kubernetes: expected -n NAMESPACE/);
    const both = await runCli(['init', '--kubernetes', '-n', 'shop', '--compose', 'x.yml', '--stdout'], { cwd: shop.dir, env });
    assert.equal(both.code, 2);
    assert.match(both.stderr, /expected one of --compose FILE or --kubernetes -n NAMESPACE/);
    const exists = await runCli(['init', '--kubernetes', '-n', 'shop'], { cwd: shop.dir, env });
    assert.equal(exists.code, 2, 'faultline.yaml is already there');
    assert.match(exists.stderr, /faultline\.yaml already exists; nothing was written/);
  });
});
