// load.k6Operator checked before anything runs: its own fields, the script on disk, the namespace
// in the system file's allow-list, and the SLOs and live guardrails it cannot feed.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { faultRegistry } from '../../src/drivers/index.js';
import { isValidationError, type ValidationIssue } from '../../src/errors/index.js';
import { loadExperiment } from '../../src/experiment/loader/load-experiment.js';
import { tempDir } from '../helpers/cli.js';

const kinds = faultRegistry();
const SYSTEM = 'kubernetes:\n  namespaces: [shop]\nservices:\n  cart:\n    kubernetes: { namespace: shop, deployment: cart }\n';

let dir: string;
let cleanup: () => Promise<void>;
before(async () => {
  ({ path: dir, cleanup } = await tempDir());
  await writeFile(join(dir, 'faultline.yaml'), SYSTEM);
  await writeFile(join(dir, 'nok8s.yaml'), 'services:\n  api:\n    process: { command: "sleep 100" }\n');
  await writeFile(join(dir, 'load.js'), 'export default function () {}\n');
});
after(() => cleanup());

function experiment(load: string, extra = '', system = './faultline.yaml'): string {
  return `title: t\nsystem: ${system}\nmethod:\n  - { wait: 1s }\nload:\n${load}\n${extra}`;
}

async function write(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

async function issues(file: string): Promise<ValidationIssue[]> {
  try {
    await loadExperiment(file, { kinds });
  } catch (err) {
    if (isValidationError(err)) return err.issues;
    throw err;
  }
  assert.fail('expected a validation error');
}

describe('load.k6Operator', () => {
  test('a valid block parses to the spec the load takes', async () => {
    const file = await write('ok.yaml', experiment('  k6Operator: { namespace: shop, script: ./load.js, parallelism: 4, arguments: "--vus 20 --duration 1m", runnerImage: "grafana/k6:0.57.0" }'));
    const loaded = await loadExperiment(file, { kinds });
    assert.deepEqual(loaded.experiment.load, { k6Operator: { namespace: 'shop', script: './load.js', parallelism: 4, arguments: '--vus 20 --duration 1m', runnerImage: 'grafana/k6:0.57.0' } });
  });

  test('a missing script, a namespace outside the allow-list: file, path and line, and what was expected', async () => {
    const file = await write('bad.yaml', experiment('  k6Operator:\n    namespace: payments\n    script: ./missing.js\n    parallelism: 2'));
    const found = await issues(file);
    const script = found.find((i) => i.path === 'load.k6Operator.script');
    assert.ok(script, JSON.stringify(found));
    assert.equal(script.line, 8);
    assert.match(script.message, /the k6 script .*missing\.js does not exist/);
    assert.match(script.file, /bad\.yaml$/);
    const ns = found.find((i) => i.path === 'load.k6Operator.namespace');
    assert.ok(ns, JSON.stringify(found));
    assert.equal(ns.line, 7);
    assert.match(ns.message, /namespace "payments" is not in .*faultline\.yaml's kubernetes\.namespaces \(shop\)/);
  });

  test('a system file without a kubernetes block: the namespace has no allow-list to be in', async () => {
    const file = await write('nok8s-exp.yaml', experiment('  k6Operator: { namespace: shop, script: ./load.js, parallelism: 1 }', '', './nok8s.yaml'));
    const [issue] = (await issues(file)).filter((i) => i.path === 'load.k6Operator.namespace');
    assert.match(issue!.message, /list it in .*nok8s\.yaml's kubernetes block/);
  });

  test('its own fields: parallelism a whole number from 1, no unknown field, nothing of the other forms', async () => {
    const file = await write('fields.yaml', experiment('  url: http://127.0.0.1:1/\n  k6Operator: { namespace: shop, script: ./load.js, parallelism: 0, vus: 3 }'));
    const found = await issues(file);
    const paths = found.map((i) => i.path);
    assert.ok(paths.includes('load.k6Operator.parallelism'), JSON.stringify(found));
    assert.ok(found.some((i) => i.path.startsWith('load.k6Operator') && /vus/.test(i.message)), JSON.stringify(found));
    const other = await issues(await write('mixed.yaml', experiment('  url: http://127.0.0.1:1/\n  k6Operator: { namespace: shop, script: ./load.js, parallelism: 1 }')));
    assert.ok(other.some((i) => i.path === 'load.url' && /does not go with "k6Operator"/.test(i.message)), JSON.stringify(other));
  });

  test('SLOs and errorRate guardrails are refused: faultline collects no figures from the runners', async () => {
    const file = await write('slos.yaml', experiment('  k6Operator: { namespace: shop, script: ./load.js, parallelism: 1 }', 'slos:\n  - { metric: p95, max: 300ms }\nguardrails:\n  abortIf:\n    - { errorRate: { above: 5% } }\n'));
    const found = await issues(file);
    const slo = found.find((i) => i.path === 'slos');
    assert.match(slo?.message ?? '', /faultline collects none from the k6 operator's runners: put the bounds in the script as k6 thresholds/);
    const guard = found.find((i) => i.path.startsWith('guardrails.abortIf'));
    assert.match(guard?.message ?? '', /faultline collects none from the k6 operator's runners/);
  });
});
