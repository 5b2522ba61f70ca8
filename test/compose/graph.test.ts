import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { fixtures } from './helpers.js';

const graphDir = join(fixtures, 'graph');
const graph = (args: string[]) => runCli(['graph', ...args], { cwd: graphDir });

interface TreeNode {
  service: string;
  critical: boolean;
  children: TreeNode[];
  seeAbove?: true;
  cycle?: true;
  missing?: true;
}
interface GraphJson {
  system: string;
  services: Record<string, { target: string | null; dependsOn: string[]; critical: boolean; dependents: string[] }>;
  entryPoints: string[];
  tree: TreeNode[];
  cycles: string[][];
  problems: { file: string; path: string; line?: number; message: string }[];
  impact?: {
    faults: { service: string; target: string; fault?: string; from: string; random?: true }[];
    faulted: string[];
    affected: { service: string; critical: boolean; distance: number; path: string[] }[];
  };
}

describe('faultline graph: the tree', () => {
  test('a diamond: entry points on top, the shared dependency expanded once, critical services marked', async () => {
    const res = await graph(['--system', 'diamond.yaml']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(
      res.stdout,
      [
        'diamond.yaml: 6 services, entry points: gateway, admin',
        '',
        'gateway [critical]',
        '├── cart',
        '│   ├── store [critical]',
        '│   └── cache',
        '└── catalog',
        '    └── store [critical] (see above)',
        'admin',
        '└── store [critical] (see above)',
        '',
      ].join('\n'),
    );
    assert.equal(res.stderr, '');
  });

  test('a cycle: drawn where it closes, listed, reported with file:line, exit 2', async () => {
    const res = await graph(['--system', 'cycle.yaml']);
    assert.equal(res.code, 2, res.stderr);
    assert.equal(
      res.stdout,
      [
        'cycle.yaml: 3 services, entry point: web',
        '',
        'web',
        '└── api',
        '    └── auth',
        '        └── api (cycle)',
        '',
        "1 dependency cycle (a service cannot start before itself; `faultline validate` rejects this file):",
        '  api → auth → api',
        '',
      ].join('\n'),
    );
    assert.match(res.stderr, /^error cycle\.yaml:7:16 at services\.api\.dependsOn: dependsOn forms a cycle: api -> auth -> api$/m);
  });

  test('a cycle nothing else leads to, and an undefined dependency, are still drawn', async () => {
    const { tempDir } = await import('../helpers/cli.js');
    const t = await tempDir('faultline-graph-');
    try {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(
        join(t.path, 'faultline.yaml'),
        'services:\n  a: { endpoint: x, dependsOn: [b] }\n  b: { endpoint: x, dependsOn: [a, ghost] }\n  solo: { endpoint: x }\n',
      );
      const res = await runCli(['graph'], { cwd: t.path });
      assert.equal(res.code, 2, res.stderr);
      assert.match(res.stdout, /^faultline\.yaml: 3 services, entry point: solo\n\nsolo\na\n└── b\n {4}├── a \(cycle\)\n {4}└── ghost \(not defined in the system file\)\n/);
      assert.match(res.stdout, /\n {2}a → b → a\n/);
      assert.match(res.stderr, /^error faultline\.yaml:3:\d+ at services\.b\.dependsOn\[1\]: unknown service "ghost"/m);
      const json = JSON.parse((await runCli(['graph', '--json'], { cwd: t.path })).stdout) as GraphJson;
      assert.deepEqual(json.cycles, [['a', 'b', 'a']]);
      assert.deepEqual(json.problems.map((p) => p.path), ['services.b.dependsOn[1]', 'services.a.dependsOn']);
      assert.deepEqual(json.tree[1], {
        service: 'a',
        critical: false,
        children: [{ service: 'b', critical: false, children: [{ service: 'a', critical: false, children: [], cycle: true }, { service: 'ghost', critical: false, children: [], missing: true }] }],
      });
    } finally {
      await t.cleanup();
    }
  });

  test('no system file here: a clear usage error', async () => {
    const res = await runCli(['graph'], { cwd: fixtures });
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /no system file: \.\/faultline\.yaml does not exist here .*name one with --system FILE/);
  });

  test('an invalid system file is refused with file:line and path', async () => {
    const res = await graph(['--system', join('..', 'errors', 'bad-depends.yml')]);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /bad-depends\.yml:\d+:\d+ at services\.web: expected a target: one of process/);
  });
});

describe('faultline graph: impact of a planned fault', () => {
  test('--fault: every transitive dependent with its path, nearest first, critical ones called out', async () => {
    const res = await graph(['--system', 'diamond.yaml', '--fault', 'store']);
    assert.equal(res.code, 0, res.stderr);
    const impact = res.stdout.slice(res.stdout.indexOf('Planned fault'));
    assert.equal(
      impact,
      [
        'Planned fault: store',
        '  faulted critical service: store',
        'May be affected (4), nearest first:',
        '  cart                cart ← store',
        '  catalog             catalog ← store',
        '  admin               admin ← store',
        '  gateway [critical]  gateway ← cart ← store',
        'Critical services that may be affected: gateway',
        '',
      ].join('\n'),
    );
  });

  test('--fault with several services (comma-separated and repeated); a leaf nothing depends on', async () => {
    const res = await graph(['--system', 'diamond.yaml', '--fault', 'cache,catalog', '--fault', 'admin', '--json']);
    assert.equal(res.code, 0, res.stderr);
    const json = JSON.parse(res.stdout) as GraphJson;
    assert.deepEqual(json.impact!.faulted, ['cache', 'catalog', 'admin']);
    assert.deepEqual(json.impact!.affected, [
      { service: 'gateway', critical: true, distance: 1, path: ['gateway', 'catalog'] },
      { service: 'cart', critical: false, distance: 1, path: ['cart', 'cache'] },
    ]);
    const leaf = await graph(['--system', 'diamond.yaml', '--fault', 'gateway']);
    assert.equal(leaf.code, 0);
    assert.match(leaf.stdout, /Nothing depends on gateway: no other service should be affected\./);
  });

  test('--fault naming an unknown service: exit 2 with a suggestion', async () => {
    const res = await graph(['--system', 'diamond.yaml', '--fault', 'stor']);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /--fault: unknown service "stor" \(did you mean "store"\?\); the system file defines: gateway, cart, catalog, store, cache, admin \[E_USAGE\]/);
    assert.equal(res.stdout, '');
  });

  test('--experiment: every target of the method (nested steps and random choices), on the experiment\'s own system file', async () => {
    const res = await graph(['--experiment', 'outage.yaml']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^faultline\.yaml: 6 services, entry points: gateway, reports, search\n/);
    assert.match(res.stdout, /Planned faults: kill on cache, pause on search, kill on cache \(if picked at random\), kill on search \(if picked at random\)\n/);
    assert.match(res.stdout, /May be affected \(2\), nearest first:\n {2}cart {5}cart ← cache\n {2}gateway {2}gateway ← cart ← cache\n/);

    const json = JSON.parse((await graph(['--experiment', 'outage.yaml', '--json'])).stdout) as GraphJson;
    assert.deepEqual(json.impact!.faults, [
      { service: 'cache', target: 'cache', fault: 'kill', from: 'experiment' },
      { service: 'search', target: 'search', fault: 'pause', from: 'experiment' },
      { service: 'cache', target: 'cache', fault: 'kill', from: 'experiment', random: true },
      { service: 'search', target: 'search', fault: 'kill', from: 'experiment', random: true },
    ]);
    assert.deepEqual(json.impact!.faulted, ['cache', 'search']);
    assert.deepEqual(json.impact!.affected.map((a) => a.path.join(' ← ')), ['cart ← cache', 'gateway ← cart ← cache']);
  });

  test('--experiment that is invalid: exit 2 with file:line, nothing printed on stdout', async () => {
    const { tempDir } = await import('../helpers/cli.js');
    const { writeFile, cp } = await import('node:fs/promises');
    const t = await tempDir('faultline-graph-');
    try {
      await cp(join(graphDir, 'faultline.yaml'), join(t.path, 'faultline.yaml'));
      await writeFile(join(t.path, 'bad.yaml'), 'title: bad\nmethod:\n  - fault: kill\n    target: carts\n');
      const res = await runCli(['graph', '--experiment', 'bad.yaml'], { cwd: t.path });
      assert.equal(res.code, 2, res.stderr);
      assert.match(res.stderr, /bad\.yaml:4:\d+ at method\[0\]\.target: unknown service "carts" \(did you mean "cart"\?\)/);
      assert.equal(res.stdout, '');
    } finally {
      await t.cleanup();
    }
  });

  test('--json: the graph, the tree with markers, and no impact without a planned fault', async () => {
    const res = await graph(['--system', 'diamond.yaml', '--json']);
    assert.equal(res.code, 0, res.stderr);
    const json = JSON.parse(res.stdout) as GraphJson;
    assert.equal(json.system, 'diamond.yaml');
    assert.deepEqual(json.entryPoints, ['gateway', 'admin']);
    assert.deepEqual(json.cycles, []);
    assert.deepEqual(json.problems, []);
    assert.equal(json.impact, undefined);
    assert.deepEqual(json.services.store, { target: 'compose', dependsOn: [], critical: true, dependents: ['cart', 'catalog', 'admin'] });
    assert.deepEqual(json.services.cache!.target, 'container');
    assert.deepEqual(json.services.gateway!.target, 'endpoint');
    assert.deepEqual(json.tree.map((n) => n.service), ['gateway', 'admin']);
    assert.deepEqual(json.tree[0]!.children[1], {
      service: 'catalog',
      critical: false,
      children: [{ service: 'store', critical: true, children: [], seeAbove: true }],
    });
  });
});
