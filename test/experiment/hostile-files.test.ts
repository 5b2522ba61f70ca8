// Files the parser refuses, or that would mislead the schema: each one is a located, plain
// validation error and exit 2 — never "unexpected error" with a stack trace (issue 14, item 23).
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
before(async () => {
  ({ path: dir, cleanup } = await tempDir());
  await writeFile(join(dir, 'faultline.yaml'), 'services:\n  api:\n    endpoint: "127.0.0.1:1"\n');
});
after(() => cleanup());

async function validate(name: string, content: string | Buffer): Promise<{ code: number | null; out: string }> {
  await writeFile(join(dir, name), content);
  const r = await runCli(['validate', name], { cwd: dir });
  return { code: r.code, out: r.stdout + r.stderr };
}

function assertPlain(out: string): void {
  assert.doesNotMatch(out, /unexpected error|\n\s+at /, 'no stack trace');
}

test('an alias bomb is refused with the line of its first alias', async () => {
  let text = 'title: bomb\nmethod: [{ wait: 1s }]\na: &a [x, x, x, x, x, x, x, x, x]\n';
  let prev = 'a';
  for (let i = 0; i < 9; i++) {
    text += `l${i}: &l${i} [${Array(9).fill(`*${prev}`).join(', ')}]\n`;
    prev = `l${i}`;
  }
  const r = await validate('bomb.yaml', text);
  assert.equal(r.code, 2, r.out);
  assertPlain(r.out);
  assert.match(r.out, /bomb\.yaml:4:\d+: aliases \(\*name\) expand to too much data/);
});

test('nesting deep enough to exhaust the parser is a plain error', async () => {
  const r = await validate('deep.json', `{"title": "deep", "x": ${'['.repeat(50_000)}${']'.repeat(50_000)}}`);
  assert.equal(r.code, 2, r.out);
  assertPlain(r.out);
  assert.match(r.out, /deep\.json:1:\d+: nested too deeply/);
});

test('a binary file says it is not text, and where', async () => {
  const r = await validate('binary.yaml', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x0a, 0x02, 0x00, 0x01, 0xff, 0xfe]));
  assert.equal(r.code, 2, r.out);
  assertPlain(r.out);
  assert.match(r.out, /binary\.yaml:2:2: not a text file \(it contains a NUL byte\)/);
});

test('a huge file is refused before it is parsed', async () => {
  const r = await validate('huge.yaml', `title: huge\nmethod: [{ wait: 1s }]\ndescription: "${'x'.repeat(5 * 1024 * 1024)}"\n`);
  assert.equal(r.code, 2, r.out);
  assertPlain(r.out);
  assert.match(r.out, /huge\.yaml: file is 5\.0 MB; experiment and system files are read up to 4 MB/);
});

test('a __proto__ key is refused where it is, also inside a map of services (which would otherwise swallow it)', async () => {
  await writeFile(join(dir, 'proto-system.yaml'), 'services:\n  api:\n    endpoint: "127.0.0.1:1"\n  __proto__:\n    endpoint: "127.0.0.1:2"\n');
  const r = await validate('proto.yaml', 'title: proto\nsystem: proto-system.yaml\nmethod:\n  - fault: kill\n    target: __proto__\n');
  assert.equal(r.code, 2, r.out);
  assertPlain(r.out);
  assert.match(r.out, /proto-system\.yaml:4:3 at services\.__proto__: a key named "__proto__" is not allowed/);
  const top = await validate('proto-top.json', '{"title": "t", "method": [{"wait": "1s"}], "guardrails": {"__proto__": {"allowCritical": true}}}');
  assert.equal(top.code, 2, top.out);
  assert.match(top.out, /proto-top\.json:1:\d+ at guardrails\.__proto__: a key named "__proto__" is not allowed/);
});
