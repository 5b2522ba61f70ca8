// The validator the Chaos Mesh tests rely on can fail: it accepts Chaos Mesh's own examples and
// rejects each kind of mistake — schema violations, misspelt fields (objects closed in memory) and
// the rules only the admission webhook enforces.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { CHAOS_MESH_DIR, chaosMeshProblems, chaosMeshSkip, isChaosMeshCron, isGoDuration } from '../helpers/chaos-mesh-schema.js';

type Doc = Record<string, unknown> & { spec: Record<string, unknown> };
const example = (file: string): Doc => parse(readFileSync(join(CHAOS_MESH_DIR, 'examples', file), 'utf8')) as Doc;
const mutated = (file: string, change: (d: Doc) => void): Doc => {
  const d = example(file);
  change(d);
  return d;
};

describe('Chaos Mesh validator', { skip: chaosMeshSkip }, () => {
  test('accepts every upstream example, objects closed', () => {
    const files = readdirSync(join(CHAOS_MESH_DIR, 'examples')).filter((f) => f.endsWith('.yaml'));
    assert.equal(files.length, 8);
    for (const f of files) assert.deepEqual(chaosMeshProblems(example(f)), [], f);
  });

  const cases: [string, string, (d: Doc) => void, RegExp][] = [
    ['unknown mode', 'network-delay-example.yaml', (d) => (d.spec.mode = 'some'), /schema: \/spec\/mode must be equal to one of the allowed values/],
    ['no selector', 'network-delay-example.yaml', (d) => delete d.spec.selector, /must have required property 'selector'/],
    ['latency without unit', 'network-delay-example.yaml', (d) => ((d.spec.delay as Doc).latency = '90'), /\/spec\/delay\/latency must match pattern/],
    ['delay without latency', 'network-delay-example.yaml', (d) => delete (d.spec.delay as Doc).latency, /must have required property 'latency'/],
    ['unknown action', 'network-delay-example.yaml', (d) => (d.spec.action = 'slow'), /\/spec\/action must be equal to one of the allowed values/],
    ['bandwidth limit 0', 'network-bandwidth-example.yaml', (d) => ((d.spec.bandwidth as Doc).limit = 0), /\/spec\/bandwidth\/limit must be >= 1/],
    ['a misspelt field', 'network-delay-example.yaml', (d) => (d.spec.dealy = d.spec.delay), /must NOT have additional properties \(dealy\)/],
    ['a misspelt nested field', 'burn-cpu.yaml', (d) => (((d.spec.stressors as Doc).cpu as Doc).worker = 2), /\/spec\/stressors\/cpu must NOT have additional properties \(worker\)/],
    ['a bad duration', 'network-delay-example.yaml', (d) => (d.spec.duration = '10 seconds'), /webhook: \/spec\/duration is not a Go duration/],
    ['fixed-percent 250', 'network-delay-example.yaml', (d) => Object.assign(d.spec, { mode: 'fixed-percent', value: '250' }), /webhook: \/spec\/value must be 1-100/],
    ['fixed without value', 'pod-kill-example.yaml', (d) => (d.spec.mode = 'fixed'), /webhook: \/spec\/value must be an integer > 0/],
    ['loss not a float', 'network-loss-example.yaml', (d) => ((d.spec.loss as Doc).loss = 'lots'), /webhook: \/spec\/loss\/loss is not a float/],
    ['rate without unit', 'network-bandwidth-example.yaml', (d) => ((d.spec.bandwidth as Doc).rate = 'fast'), /webhook: \/spec\/bandwidth\/rate needs a number and a unit/],
    ['delay action without delay', 'network-delay-example.yaml', (d) => delete d.spec.delay, /action delay without delay/],
    ['direction both without target', 'network-delay-example.yaml', (d) => (d.spec.direction = 'both'), /webhook: \/spec\/direction both cannot be used when target is empty/],
    ['HTTPChaos without port', 'http-patch-response.yaml', (d) => delete d.spec.port, /webhook: \/spec\/port undefined is not supported/],
    ['memory size not bytes', 'cause-pod-oom.yaml', (d) => (((d.spec.stressors as Doc).memory as Doc).size = 'ten gigs'), /incorrect bytes format/],
    ['container-kill without containers', 'pod-kill-example.yaml', (d) => (d.spec.action = 'container-kill'), /the name of container is required/],
  ];
  for (const [name, file, change, expected] of cases) {
    test(`rejects ${name}`, () => {
      const problems = chaosMeshProblems(mutated(file, change));
      assert.ok(problems.some((p) => expected.test(p)), `expected ${expected} in:\n${problems.join('\n')}`);
    });
  }
  test('partition takes direction both without a target, as the webhook does', () => {
    assert.deepEqual(chaosMeshProblems(mutated('network-partition-example.yaml', (d) => Object.assign(d.spec, { direction: 'both', target: undefined }))), []);
  });

  const workflow = (templates: unknown[], entry = 'entry'): Doc => ({ apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'Workflow', metadata: { name: 'w' }, spec: { entry, templates } });
  const delay = (): Record<string, unknown> => ({ ...example('network-delay-example.yaml').spec });
  test('workflows: a valid one passes; each webhook rule fails', () => {
    const networkChaos = delay();
    delete networkChaos.duration;
    const chaos = { name: 'delay', templateType: 'NetworkChaos', deadline: '10s', networkChaos };
    const ok = workflow([{ name: 'entry', templateType: 'Serial', children: ['delay', 'pause'] }, chaos, { name: 'pause', templateType: 'Suspend', deadline: '5s' }]);
    assert.deepEqual(chaosMeshProblems(ok), []);
    const bad: [unknown[], RegExp, string?][] = [
      [[{ name: 'entry', templateType: 'Serial', children: ['nope'] }], /can not find a template with name nope/],
      [[{ name: 'entry', templateType: 'Suspend' }], /Suspend could not be empty/],
      [[{ name: 'entry', templateType: 'NetworkChaos', deadline: '10s', networkChaos: delay() }], /should not define duration in chaos when using Workflow/],
      [[{ name: 'entry', templateType: 'NetworkChaos', deadline: '10s' }], /the value of chaos NetworkChaos is required/],
      [[{ name: 'Entry', templateType: 'Suspend', deadline: '1s' }], /must be a DNS-1123 subdomain/, 'Entry'],
      [[{ name: 'entry', templateType: 'Suspend', deadline: '1s' }, { name: 'entry', templateType: 'Suspend', deadline: '1s' }], /template name must be unique/],
      [[{ name: 'entry', templateType: 'Suspend', deadline: '1s', dedline: '2s' }], /must NOT have additional properties \(dedline\)/],
      [[{ name: 'x', templateType: 'Suspend', deadline: '1s' }], /can not find a template with name entry/],
    ];
    for (const [templates, expected, entry] of bad) {
      const problems = chaosMeshProblems(workflow(templates, entry));
      assert.ok(problems.some((p) => expected.test(p)), `expected ${expected} in:\n${problems.join('\n')}`);
    }
  });

  test('schedules: cron, type and the embedded spec are checked', () => {
    const schedule = (spec: Record<string, unknown>): Doc => ({ apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'Schedule', metadata: { name: 's' }, spec });
    const pod = example('pod-kill-example.yaml').spec;
    assert.deepEqual(chaosMeshProblems(schedule({ schedule: '*/5 * * * *', type: 'PodChaos', concurrencyPolicy: 'Forbid', historyLimit: 3, podChaos: pod })), []);
    assert.ok(chaosMeshProblems(schedule({ schedule: 'every five minutes', type: 'PodChaos', podChaos: pod })).some((p) => /parse schedule field error/.test(p)));
    assert.ok(chaosMeshProblems(schedule({ schedule: '@hourly', type: 'PodChaos', podChaos: { ...pod, mode: 'fixed' } })).some((p) => /value must be an integer > 0/.test(p)));
    assert.ok(chaosMeshProblems(schedule({ schedule: '@hourly', type: 'PodChaos', concurrencyPolicy: 'Never', podChaos: pod })).some((p) => /concurrencyPolicy must be equal to one of the allowed values/.test(p)));
    assert.ok(chaosMeshProblems(schedule({ schedule: '@hourly', type: 'Workflow', workflow: { entry: 'e', templates: [] } })).some((p) => /could not be empty/.test(p)));
  });
});

test('Go durations and cron expressions as Chaos Mesh parses them', () => {
  for (const ok of ['0', '1s', '1500ms', '1m30s', '-10m100ns', '1.5h', '250us']) assert.ok(isGoDuration(ok), ok);
  for (const bad of ['', '10', '1 s', 's', '1d', '10 seconds']) assert.ok(!isGoDuration(bad), bad);
  for (const ok of ['*/5 * * * *', '0 30 2 * * MON-FRI', '@daily', '@every 90s']) assert.ok(isChaosMeshCron(ok), ok);
  for (const bad of ['* * * *', '@sometimes', '@every soon', 'a b c d e f g']) assert.ok(!isChaosMeshCron(bad), bad);
});
