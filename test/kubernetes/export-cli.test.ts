// `faultline export --chaos-mesh` through the built CLI (bin/faultline.js), as users run it: YAML
// on stdout or in a file that parses back to resources Chaos Mesh would accept, refusals on stderr
// with exit 2. (kubectl apply --dry-run=client cannot check it here: even a client dry run asks an
// API server for discovery to map the kinds, and none runs on these machines.)
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { freePort, runCli, tempDir } from '../helpers/cli.js';
import { chaosMeshProblems, chaosMeshSkip } from '../helpers/chaos-mesh-schema.js';

let dir: string;
let cleanup: () => Promise<void>;
before(async () => {
  ({ path: dir, cleanup } = await tempDir('faultline-export-cli-'));
  await writeFile(
    join(dir, 'faultline.yaml'),
    'kubernetes:\n  namespaces: [shop]\nservices:\n  cart:\n    kubernetes: { namespace: shop, selector: { app: cart } }\n  db:\n    kubernetes: { namespace: shop, selector: { app: db } }\n  api:\n    kubernetes: { namespace: shop, deployment: api }\n',
  );
  await writeFile(
    join(dir, 'cart-latency.yaml'),
    [
      'title: Cart keeps answering while the database is slow',
      'hypothesis:',
      '  probes: [{ name: cart up, http: "http://cart.shop/health" }]',
      'method:',
      '  - { fault: net-delay, target: cart, peer: db, delay: 300ms, duration: 1m }',
      '  - { wait: 30s }',
      '  - parallel:',
      '      - { fault: pod-kill, target: db }',
      '      - { fault: cpu-stress, target: cart, workers: 2, duration: 30s }',
      'recovery: { within: 20s }',
      '',
    ].join('\n'),
  );
  await writeFile(join(dir, 'api-kill.yaml'), 'title: t\nmethod:\n  - { wait: 1s }\n  - { fault: pod-kill, target: api }\n');
});
after(() => cleanup());

describe('faultline export --chaos-mesh (CLI)', { skip: chaosMeshSkip }, () => {
  test('prints a Workflow as YAML under a header that says what was left out', async () => {
    const r = await runCli(['export', '--chaos-mesh', 'cart-latency.yaml'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const header = r.stdout.split('\n').filter((l) => l.startsWith('#')).join('\n');
    assert.match(header, /^# Chaos Mesh Workflow exported by faultline from cart-latency\.yaml/);
    assert.match(header, /hypothesis: 1 probe \(no steady state is checked/);
    assert.match(header, /recovery: within 20s \(no recovery is measured\)/);
    const resource = parse(r.stdout) as { kind: string; metadata: Record<string, unknown>; spec: { templates: { templateType: string }[] } };
    assert.deepEqual(chaosMeshProblems(resource), []);
    assert.equal(resource.kind, 'Workflow');
    assert.deepEqual(resource.metadata, { name: 'faultline-cart-latency', namespace: 'shop', labels: { 'app.kubernetes.io/created-by': 'faultline-export' }, annotations: { 'faultline.dev/experiment': 'cart-latency.yaml' } });
    assert.deepEqual(resource.spec.templates.map((t) => t.templateType), ['Serial', 'NetworkChaos', 'Suspend', 'Parallel', 'PodChaos', 'StressChaos']);
  });

  test('--cron and -o write a Schedule to a file', async () => {
    const r = await runCli(['export', '--chaos-mesh', 'cart-latency.yaml', '--cron', '0 3 * * 1-5', '-o', 'nightly.yaml', '--name', 'cart-nightly', '-n', 'chaos-testing'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'wrote nightly.yaml (Schedule cart-nightly)\n');
    const resource = parse(await readFile(join(dir, 'nightly.yaml'), 'utf8')) as { kind: string; metadata: { name: string; namespace: string }; spec: Record<string, unknown> };
    assert.deepEqual(chaosMeshProblems(resource), []);
    assert.deepEqual([resource.kind, resource.metadata.name, resource.metadata.namespace, resource.spec.type, resource.spec.concurrencyPolicy], ['Schedule', 'cart-nightly', 'chaos-testing', 'Workflow', 'Forbid']);
  });
});

test('a workload target without cluster access is refused, naming the step and the fix', async () => {
  // A kubeconfig whose cluster refuses connections: the workload's selector cannot be read.
  const kubeconfig = join(dir, 'unreachable.kubeconfig');
  await writeFile(kubeconfig, `apiVersion: v1\nkind: Config\nclusters: [{ name: c, cluster: { server: "http://127.0.0.1:${await freePort()}", insecure-skip-tls-verify: true } }]\nusers: [{ name: u, user: {} }]\ncontexts: [{ name: x, context: { cluster: c, user: u } }]\ncurrent-context: x\n`);
  const r = await runCli(['export', '--chaos-mesh', 'api-kill.yaml'], { cwd: dir, env: { KUBECONFIG: kubeconfig } });
  assert.equal(r.code, 2, r.stdout);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /api-kill\.yaml at method\[1\]\.target: service "api" names deployment api, whose pods' labels are in its selector in the cluster, which could not be read: .*ECONNREFUSED.*give the service selector: \{ … \} \(the workload's matchLabels\) in the system file/);
});

test('refusals exit 2 with the file, line and step path', async () => {
  await writeFile(join(dir, 'random.yaml'), 'title: t\nmethod:\n  - random:\n      - { fault: pod-kill, target: cart }\n');
  const r = await runCli(['export', '--chaos-mesh', 'random.yaml'], { cwd: dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /random\.yaml:3:\d+ at method\[0\]: a random choice has no Chaos Mesh equivalent/);
});

test('without a format it says which; --help explains with an example', async () => {
  const r = await runCli(['export', 'cart-latency.yaml'], { cwd: dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /name the format: faultline export --chaos-mesh EXPERIMENT/);
  const help = await runCli(['export', '--help'], { cwd: dir });
  assert.equal(help.code, 0);
  assert.match(help.stdout, /faultline export --chaos-mesh experiments\/cart-latency\.yaml \| kubectl apply -f -/);
  assert.match(help.stdout, /--cron <expr>/);
  const badName = await runCli(['export', '--chaos-mesh', 'cart-latency.yaml', '--name', 'Cart_Nightly'], { cwd: dir });
  assert.equal(badName.code, 2);
  assert.match(badName.stderr, /--name "Cart_Nightly": expected a Kubernetes name/);
});
