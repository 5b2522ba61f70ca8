// The published JSON Schema (schema/journal.schema.json) is generated from the zod schema, which
// must agree with the Journal type. Regenerate after a change to the journal:
//   UPDATE_SCHEMA=1 node --import tsx --test test/reporters/journal-schema.test.ts
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { z } from 'zod';
import type { Analysis, FaultRecord, Journal, LoadRecord, Sample, ServiceRecovery } from '../../src/journal/types.js';
import { journalJsonSchema, journalSchema } from '../../src/reporters/journal-schema.js';
import { repoRoot } from '../helpers/cli.js';
import { fault, journalFrom } from '../analysis/journal-builder.js';
import { analyzeJournal } from '../../src/analysis/index.js';

const published = join(repoRoot, 'schema', 'journal.schema.json');

// Compile-time: the zod schema and the Journal type describe the same thing (both directions).
// (The schema accepts unknown fields, so its input type has an index signature; compare the known ones.)
type KnownKeys<T> = { [K in keyof T as string extends K ? never : K]: T[K] };
type Parsed = z.output<typeof journalSchema>;
export const journalIsParsable: KnownKeys<z.input<typeof journalSchema>> = {} as Journal;
export const parsedIsJournal: Journal = {} as Parsed;
// Optional fields slip through assignability: list the fields the schema lacks (must be none).
type Missing<T, S> = Exclude<keyof T, keyof KnownKeys<S>>;
type NoneMissing<T, S> = [Missing<T, S>] extends [never] ? true : Missing<T, S>;
export const schemaHasEveryField: [NoneMissing<Journal, Parsed>, NoneMissing<FaultRecord, Parsed['faults'][number]>, NoneMissing<ServiceRecovery, Parsed['recovery'][number]>, NoneMissing<LoadRecord, NonNullable<Parsed['load']>>, NoneMissing<Analysis, NonNullable<Parsed['analysis']>>, NoneMissing<Sample, Parsed['timeSeries'][number]>] = [true, true, true, true, true, true];

test('schema/journal.schema.json is the JSON Schema generated from the journal schema', async () => {
  const generated = `${JSON.stringify(journalJsonSchema(), null, 2)}\n`;
  if (process.env.UPDATE_SCHEMA) await writeFile(published, generated);
  const current = await readFile(published, 'utf8').catch(() => '');
  assert.equal(current, generated, 'out of date: regenerate with UPDATE_SCHEMA=1 node --import tsx --test test/reporters/journal-schema.test.ts');
});

test('a journal with analysis and system graph is valid; a damaged one is not, with the path of the problem', () => {
  const j = journalFrom({ health: { api: 'oooooooooooxxxoooo' }, faults: [fault('api', 1000)], graph: { api: {} }, within: 5000 });
  j.analysis = analyzeJournal(j);
  assert.ok(journalSchema.safeParse(JSON.parse(JSON.stringify(j))).success);
  assert.ok(journalSchema.safeParse({ ...j, futureField: { x: 1 } }).success, 'fields added later are accepted');
  const broken = structuredClone(j) as unknown as { faults: { injectedT: unknown }[] };
  broken.faults[0]!.injectedT = 'soon';
  const result = journalSchema.safeParse(broken);
  assert.equal(result.success, false);
  assert.deepEqual(result.error!.issues[0]!.path, ['faults', 0, 'injectedT']);
});
