/**
 * The k6 operator's TestRun CRD (test/fixtures/k6-operator, see its README) as an Ajv validator,
 * with every object closed so a misspelt field fails as it would not on a real cluster (which
 * prunes unknown fields silently).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { closeObjects } from './chaos-mesh-schema.js';
import { repoRoot } from './cli.js';

type Json = Record<string, unknown>;

export const testRunCrd = parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'k6-operator', 'k6.io_testruns.yaml'), 'utf8')) as {
  metadata: { name: string };
  spec: { group: string; versions: { name: string; schema: { openAPIV3Schema: Json } }[] };
};
/** v1alpha1's openAPIV3Schema, closed. */
export const testRunSchema = structuredClone(testRunCrd.spec.versions.find((v) => v.name === 'v1alpha1')!.schema.openAPIV3Schema);
closeObjects(testRunSchema);
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const validate: ValidateFunction = addFormats(new Ajv({ strict: false, allErrors: true })).compile(testRunSchema);

/** Every problem the CRD's schema finds in a TestRun; empty when it is valid. */
export function testRunProblems(obj: unknown): string[] {
  return validate(obj) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
}
