// The TestRun and ConfigMap a k6Operator load creates, checked against what a cluster accepts:
// the TestRun against the k6 operator's published CRD (test/fixtures/k6-operator, objects closed
// so a misspelt field fails), the ConfigMap against the Kubernetes core schema.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HOST_LABEL, MANAGED_BY_LABEL, RUN_ID_LABEL } from '../../src/drivers/kubernetes/leftovers.js';
import { k6OperatorNames, scriptConfigMap, STAGES, testRunObject } from '../../src/load/k6-operator/resources.js';
import { testRunCrd as crd, testRunProblems as problems, testRunSchema as schema } from '../helpers/k6-operator-schema.js';
import { validateCoreObject } from '../helpers/kube/index.js';

type Json = Record<string, unknown>;

const RUN_ID = '20261205T113728-a1b2c3';
const full = { namespace: 'shop', script: './tests/load.js', parallelism: 4, arguments: '--vus 20 --duration 1m', runnerImage: 'grafana/k6:0.57.0' };

describe('the TestRun against the k6 operator CRD (e2c9571)', () => {
  test('the fixture is the TestRun CRD, and its stage enum is the stages the load follows', () => {
    assert.equal(crd.metadata.name, 'testruns.k6.io');
    const stage = ((schema.properties as Json).status as { properties: { stage: { enum: string[] } } }).properties.stage;
    assert.deepEqual([...stage.enum].sort(), [...STAGES].sort());
  });

  test('every option set: the CRD accepts it', () => {
    const names = k6OperatorNames(RUN_ID, full.script);
    const obj = testRunObject(full, names, RUN_ID);
    assert.deepEqual(problems(obj), []);
    const spec = obj.spec as Json;
    assert.equal(spec.parallelism, 4);
    assert.deepEqual(spec.script, { configMap: { name: names.configMap, file: 'load.js' } });
    assert.equal(spec.arguments, '--vus 20 --duration 1m');
    assert.equal(spec.separate, false);
    assert.equal((spec.runner as Json).image, 'grafana/k6:0.57.0');
    const labels = (obj.metadata as { labels: Record<string, string> }).labels;
    assert.equal(labels[MANAGED_BY_LABEL], 'faultline');
    assert.equal(labels[RUN_ID_LABEL], RUN_ID);
    assert.ok(labels[HOST_LABEL]);
  });

  test('only the required options: the CRD accepts it', () => {
    const minimal = { namespace: 'shop', script: 'load.js', parallelism: 1 };
    assert.deepEqual(problems(testRunObject(minimal, k6OperatorNames(RUN_ID, minimal.script), RUN_ID)), []);
  });

  test('the closed schema catches a misspelt field and a wrong type (so a pass means something)', () => {
    const obj = testRunObject(full, k6OperatorNames(RUN_ID, full.script), RUN_ID) as { spec: Json };
    assert.match(problems({ ...obj, spec: { ...obj.spec, paralelism: 2 } }).join('\n'), /paralelism/);
    assert.match(problems({ ...obj, spec: { ...obj.spec, parallelism: '4' } }).join('\n'), /parallelism must be integer/);
  });

  test('names are DNS labels short enough for the jobs the operator derives from them', () => {
    const names = k6OperatorNames(RUN_ID, 'dir/My Script.js');
    for (const n of [names.testRun, names.configMap]) assert.match(n, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    assert.ok(`${names.testRun}-initializer`.length <= 63);
    assert.equal(names.file, 'script.js', 'a basename that is no ConfigMap key falls back');
    assert.equal(k6OperatorNames(RUN_ID, 'bundle.tar').file, 'bundle.tar');
  });
});

describe('the ConfigMap against the Kubernetes schema', () => {
  test('a text script goes in data under the file the TestRun names', () => {
    const names = k6OperatorNames(RUN_ID, full.script);
    const cm = scriptConfigMap('shop', names, RUN_ID, Buffer.from('export default function () {}\n'));
    validateCoreObject(cm as never);
    assert.deepEqual(cm.data, { 'load.js': 'export default function () {}\n' });
  });

  test('a binary archive goes in binaryData, base64', () => {
    const names = k6OperatorNames(RUN_ID, 'bundle.tar');
    const bytes = Buffer.from([0x75, 0x73, 0x74, 0x61, 0x72, 0xff, 0x00, 0xfe]);
    const cm = scriptConfigMap('shop', names, RUN_ID, bytes);
    validateCoreObject(cm as never);
    assert.deepEqual(cm.binaryData, { 'bundle.tar': bytes.toString('base64') });
  });
});
