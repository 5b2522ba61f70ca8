// docs/schedule.md's examples are what they claim: the schedule files validate as schedule files,
// the CronJob validates against Kubernetes' published OpenAPI schema (kubernetes-models; no cluster
// runs here), and the systemd unit treats exit 3 (stopped during a run, reverted) as a clean stop.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { repoRoot } from '../helpers/cli.js';
import { validateCoreObject } from '../helpers/kube/validate-core.js';
import { scheduleSchema } from '../../src/schedule/schema.js';

async function blocks(lang: string): Promise<string[]> {
  const md = await readFile(join(repoRoot, 'docs', 'schedule.md'), 'utf8');
  return [...md.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

test('the schedule files in docs/schedule.md validate', async () => {
  const files = (await blocks('yaml')).filter((b) => /^(defaults|jobs):/m.test(b));
  assert.equal(files.length, 2);
  for (const text of files) {
    const parsed = scheduleSchema.safeParse(parse(text));
    assert.ok(parsed.success, `${text}\n${JSON.stringify(parsed.error?.issues)}`);
  }
});

test("the Kubernetes CronJob in docs/schedule.md matches Kubernetes' schema and runs one job with --once", async () => {
  const [cronJob] = (await blocks('yaml')).filter((b) => b.includes('kind: CronJob'));
  const obj = parse(cronJob!) as { apiVersion: string; kind: string; spec: { concurrencyPolicy: string; jobTemplate: { spec: { template: { spec: { containers: { command: string[] }[] } } } } } };
  validateCoreObject(obj);
  assert.equal(obj.spec.concurrencyPolicy, 'Forbid');
  const command = obj.spec.jobTemplate.spec.template.spec.containers[0]!.command;
  assert.deepEqual(command.slice(3, 7), ['schedule', 'schedule.yaml', '--once', 'weekly-suite']);
  // The deliberately broken variant fails, so the check above can fail.
  assert.throws(() => validateCoreObject({ ...obj, spec: { ...obj.spec, concurrencyPolicy: 7 } } as unknown as typeof obj), /does not match the Kubernetes schema/);
});

test('the systemd unit in docs/schedule.md runs the scheduler and counts exit 3 as success', async () => {
  const [unit] = await blocks('ini');
  assert.match(unit!, /^ExecStart=.*faultline schedule \S+ --yes$/m);
  assert.match(unit!, /^SuccessExitStatus=3$/m);
  assert.match(unit!, /^KillSignal=SIGTERM$/m);
});
