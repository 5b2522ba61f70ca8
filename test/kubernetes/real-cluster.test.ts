// Against a real cluster (kind, minikube, k3d) with Chaos Mesh installed, through the current
// kubectl context: the example shop applied, the example experiments run, the cluster checked
// after each, the namespace deleted at the end. Skipped unless FAULTLINE_K8S_E2E=1 — no API
// server can run where faultline is built; see docs/kubernetes.md, "Testing against a real cluster".
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot, runCli, tempDir, waitFor } from '../helpers/cli.js';

const skip = process.env.FAULTLINE_K8S_E2E === '1' ? undefined : 'set FAULTLINE_K8S_E2E=1 with a kind/minikube context (and Chaos Mesh for the net-delay case) to run against a real cluster';
const examples = join(repoRoot, 'examples', 'kubernetes');

function kubectl(...args: string[]): string {
  return execFileSync('kubectl', args, { encoding: 'utf8', timeout: 180_000 });
}

function readyCount(app: string): number {
  const pods = JSON.parse(kubectl('get', 'pods', '-n', 'shop', '-l', `app=${app}`, '-o', 'json')) as { items: { metadata: { deletionTimestamp?: string }; status: { conditions?: { type: string; status: string }[] } }[] };
  return pods.items.filter((p) => !p.metadata.deletionTimestamp && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
}

describe('a real cluster (FAULTLINE_K8S_E2E=1)', { skip }, () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ path: dir, cleanup } = await tempDir('faultline-k8s-e2e-'));
    kubectl('apply', '-f', join(examples, 'manifests', 'shop.yaml'));
    kubectl('-n', 'shop', 'rollout', 'status', 'deployment/cart', '--timeout=180s');
    kubectl('-n', 'shop', 'rollout', 'status', 'deployment/web', '--timeout=180s');
    kubectl('-n', 'shop', 'rollout', 'status', 'statefulset/redis', '--timeout=180s');
    for (const f of ['faultline.yaml', 'pod-delete-cart.yaml', 'scale-cart-down.yaml', 'rollout-restart-web.yaml', 'net-delay-cart.yaml']) await copyFile(join(examples, f), join(dir, f));
  });
  after(async () => {
    kubectl('delete', 'namespace', 'shop', '--wait=false');
    await cleanup();
  });

  const run = (file: string) => runCli(['run', file, '--yes', '-r', `out-${file}`], { cwd: dir, env: { FAULTLINE_STATE_DIR: join(dir, '.faultline') }, timeoutMs: 300_000 });

  test('pod-delete-cart.yaml: held, and cart has 3 Ready pods after', async () => {
    const res = await run('pod-delete-cart.yaml');
    assert.equal(res.code, 0, res.stdout + res.stderr);
    await waitFor(() => readyCount('cart') === 3, { what: '3 cart pods Ready', timeoutMs: 120_000 });
  });

  test('scale-cart-down.yaml: cart is back at 3 replicas', async () => {
    const res = await run('scale-cart-down.yaml');
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.equal(kubectl('get', 'deployment', 'cart', '-n', 'shop', '-o', 'jsonpath={.spec.replicas}'), '3');
  });

  test('rollout-restart-web.yaml: held', async () => {
    const res = await run('rollout-restart-web.yaml');
    assert.equal(res.code, 0, res.stdout + res.stderr);
  });

  test('net-delay-cart.yaml (needs Chaos Mesh): held, and no NetworkChaos is left', async () => {
    const crds = kubectl('get', 'crd', '-o', 'name');
    if (!crds.includes('networkchaos.chaos-mesh.org')) return assert.fail('Chaos Mesh is not installed in this cluster (see docs/kubernetes.md)');
    const text = (await readFile(join(dir, 'net-delay-cart.yaml'), 'utf8')).replace('duration: 30s', 'duration: 10s');
    await writeFile(join(dir, 'net-delay-cart.yaml'), text);
    const res = await run('net-delay-cart.yaml');
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.equal(kubectl('get', 'networkchaos', '-n', 'shop', '-o', 'name').trim(), '');
  });
});
