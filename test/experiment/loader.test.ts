import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { faultRegistry } from '../../src/drivers/index.js';
import { ValidationError, type ValidationIssue } from '../../src/errors/index.js';
import { loadExperiment } from '../../src/experiment/loader/load-experiment.js';
import { tempDir } from '../helpers/cli.js';

const kinds = faultRegistry();
const SYSTEM = `services:
  api:
    process:
      command: node server.mjs
      restart: { policy: always, delay: 1s }
    health:
      http: http://127.0.0.1:7101/health
  db:
    endpoint: tcp://127.0.0.1:5432
    health: { tcp: "127.0.0.1:5432" }
`;

let dir: string;
let cleanup: () => Promise<void>;
before(async () => {
  ({ path: dir, cleanup } = await tempDir());
  await writeFile(join(dir, 'faultline.yaml'), SYSTEM);
});
after(() => cleanup());

async function write(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

async function issuesOf(file: string): Promise<ValidationIssue[]> {
  try {
    await loadExperiment(file, { kinds });
  } catch (err) {
    assert.ok(err instanceof ValidationError, `expected a ValidationError, got ${String(err)}`);
    assert.equal(err.code, 'E_INVALID');
    return err.issues;
  }
  assert.fail('expected the experiment to be rejected');
}

describe('loading experiments', () => {
  test('a valid YAML experiment loads with durations in ms and defaults filled', async () => {
    const file = await write(
      'ok.yaml',
      `title: ok
method:
  - fault: pause
    target: api
    duration: 1m30s
  - wait: 500ms
  - parallel:
      - fault: kill
        target: { random: [api] }
        signal: SIGTERM
recovery: { within: 5s }
`,
    );
    const loaded = await loadExperiment(file, { kinds });
    assert.equal(loaded.experiment.title, 'ok');
    assert.deepEqual(loaded.experiment.method[0], { type: 'fault', fault: 'pause', name: undefined, target: 'api', duration: 90_000, params: {} });
    assert.deepEqual(loaded.experiment.method[1], { type: 'wait', name: undefined, wait: 500 });
    const par = loaded.experiment.method[2];
    assert.ok(par?.type === 'parallel');
    assert.deepEqual(par.steps[0], { type: 'fault', fault: 'kill', name: undefined, target: { random: ['api'] }, duration: undefined, params: { signal: 'SIGTERM' } });
    assert.equal(loaded.experiment.recovery?.within, 5000);
    assert.equal(loaded.experiment.recovery?.sustained, 3);
    assert.equal(loaded.system.system.services.api?.process?.restart?.delay, 1000);
    assert.equal(loaded.system.absPath, join(dir, 'faultline.yaml'));
  });

  test('JSON and TypeScript experiments go through the same schema', async () => {
    const json = await write('ok.json', JSON.stringify({ title: 'json', method: [{ fault: 'kill', target: 'api' }] }));
    assert.equal((await loadExperiment(json, { kinds })).experiment.method.length, 1);
    const ts = await write(
      'ok.ts',
      `const duration: string = '2s';\nexport default { title: 'ts', method: [{ fault: 'pause', target: 'api', duration }] };\n`,
    );
    const loaded = await loadExperiment(ts, { kinds });
    assert.equal(loaded.experiment.title, 'ts');
    assert.equal((loaded.experiment.method[0] as { duration?: number }).duration, 2000);
  });

  test('a YAML syntax error names the file and line', async () => {
    const file = await write('syntax.yaml', 'title: x\nmethod:\n  - fault: kill\n   target: [api\n');
    const [issue] = await issuesOf(file);
    assert.equal(issue?.file, file);
    assert.match(issue!.message, /syntax error/);
    assert.ok(issue!.line! >= 3, `line ${issue!.line}`);
  });

  test('a misspelled fault kind gets a suggestion, the path and the line', async () => {
    const file = await write('kind.yaml', 'title: x\nmethod:\n  - fault: kil\n    target: api\n');
    const issues = await issuesOf(file);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.path, 'method[0].fault');
    assert.equal(issues[0]!.line, 3);
    assert.match(issues[0]!.message, /unknown fault kind "kil" \(did you mean "kill"\?\); expected one of: kill, pause, restart/);
  });

  test('an unknown field is reported at its own line', async () => {
    const file = await write('field.yaml', 'title: x\nmethod:\n  - fault: kill\n    target: api\n    sigal: SIGTERM\n');
    const issues = await issuesOf(file);
    assert.deepEqual(
      issues.map((i) => [i.path, i.line, i.message]),
      [['method[0].sigal', 5, 'unknown field "sigal"']],
    );
  });

  test('missing fields, bad durations and bad values are all listed at once', async () => {
    const file = await write('many.yaml', 'method:\n  - fault: pause\n    target: api\n  - wait: soon\nrecovery: { within: 5s, sustained: 0 }\n');
    const issues = await issuesOf(file);
    const byPath = new Map(issues.map((i) => [i.path, i]));
    assert.match(byPath.get('title')!.message, /missing required field/);
    assert.match(byPath.get('recovery.sustained')!.message, />=1|too small|at least|1/i);
    // Step problems are found even while the top level is broken.
    assert.match(byPath.get('method[0]')!.message, /expected a duration/);
    assert.match(byPath.get('method[1].wait')!.message, /expected a duration such as 500ms/);
    assert.equal(byPath.get('method[1].wait')!.line, 4);
  });

  test('an unknown service is an error before anything runs, with a suggestion', async () => {
    const file = await write('svc.yaml', 'title: x\nmethod:\n  - fault: kill\n    target: apj\n');
    const [issue] = await issuesOf(file);
    assert.equal(issue?.path, 'method[0].target');
    assert.equal(issue?.line, 4);
    assert.match(issue!.message, /unknown service "apj" \(did you mean "api"\?\); the system file defines: api, db/);
  });

  test('a process fault on a watch-only service is refused', async () => {
    const file = await write('endpoint.yaml', 'title: x\nmethod:\n  - fault: kill\n    target: [api, db]\n');
    const [issue] = await issuesOf(file);
    assert.equal(issue?.path, 'method[0].target[1]');
    assert.match(issue!.message, /watch-only/);
  });

  test('duplicate keys and duplicate probe names are errors', async () => {
    const dupKey = await write('dupkey.yaml', 'title: x\ntitle: y\nmethod:\n  - fault: kill\n    target: api\n');
    const [k] = await issuesOf(dupKey);
    assert.match(k!.message, /duplicate name/);
    assert.equal(k!.line, 2);
    const dupProbe = await write(
      'dupprobe.yaml',
      'title: x\nhypothesis:\n  probes:\n    - { name: a, tcp: "127.0.0.1:1" }\n    - { name: a, tcp: "127.0.0.1:2" }\nmethod:\n  - fault: kill\n    target: api\n',
    );
    const [p] = await issuesOf(dupProbe);
    assert.equal(p!.path, 'hypothesis.probes[1].name');
    assert.match(p!.message, /duplicate probe name "a"/);
  });

  test('single-action faults take no duration', async () => {
    const file = await write('killdur.yaml', 'title: x\nmethod:\n  - fault: kill\n    target: api\n    duration: 5s\n');
    const [issue] = await issuesOf(file);
    assert.equal(issue?.path, 'method[0].duration');
    assert.match(issue!.message, /single action/);
  });

  test('rules across the parameters of a fault fail at validation, not at injection', async () => {
    const file = await write(
      'cross.yaml',
      'title: x\nmethod:\n  - { fault: resource-limit, target: api, duration: 1s }\n  - { fault: netem, target: api, duration: 1s }\n  - { fault: net-loss, target: api, duration: 1s }\n',
    );
    const issues = await issuesOf(file);
    assert.deepEqual(
      issues.map((i) => [i.path, i.line, i.message]),
      [
        ['method[0]', 3, 'resource-limit: expected cpus, memory or both'],
        ['method[1]', 4, 'netem: expected at least one of delay, loss, corrupt, duplicate or reorder'],
        ['method[2].percent', 5, 'missing required field (see `faultline schema` for its forms)'],
      ],
    );
  });

  test('a step with no type, and an invalid signal, are explained', async () => {
    const file = await write('step.yaml', 'title: x\nmethod:\n  - target: api\n  - fault: kill\n    target: api\n    signal: SIGFOO\n');
    const issues = await issuesOf(file);
    assert.match(issues.find((i) => i.path === 'method[0]')!.message, /expected a step with one of: fault, wait, sequence, parallel, random/);
    assert.ok(issues.find((i) => i.path === 'method[1].signal'), JSON.stringify(issues));
  });

  test('a missing experiment file, or one of an unknown type, says so', async () => {
    const [missing] = await issuesOf(join(dir, 'nope.yaml'));
    assert.match(missing!.message, /file not found \(.*nope\.yaml\)/);
    const [ext] = await issuesOf(await write('exp.toml', 'title = "x"'));
    assert.match(ext!.message, /expected a \.yaml, \.yml, \.json, \.ts or \.js file, got "\.toml"/);
  });

  test('a missing system file is reported against the experiment', async () => {
    const file = await write('nosys.yaml', 'title: x\nsystem: ./nope.yaml\nmethod:\n  - fault: kill\n    target: api\n');
    const [issue] = await issuesOf(file);
    assert.equal(issue?.path, 'system');
    assert.match(issue!.message, /system file not found/);
  });

  test('an invalid system file names its own file, path and line', async () => {
    await write('badsys.yaml', 'services:\n  api:\n    process: { command: "x" }\n    dependsOn: [web]\n');
    const file = await write('usesbad.yaml', 'title: x\nsystem: ./badsys.yaml\nmethod:\n  - fault: kill\n    target: api\n');
    const [issue] = await issuesOf(file);
    assert.equal(issue?.file, join(dir, 'badsys.yaml'));
    assert.equal(issue?.path, 'services.api.dependsOn[0]');
    assert.equal(issue?.line, 4);
    assert.match(issue!.message, /unknown service "web"/);
  });
});
