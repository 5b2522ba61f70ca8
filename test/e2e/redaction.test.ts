// Secrets stay out of reports (issue 14, item 19): a real run with credentials in probe and load
// headers, a rollback body and a URL; none of them reaches journal.json or a report, which are 0600.
import assert from 'node:assert/strict';
import { copyFile, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { redact, REDACTED } from '../../src/reporters/redact.js';
import { freePort, repoRoot, runCli, tempDir } from '../helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
let port: number;
before(async () => {
  ({ path: dir, cleanup } = await tempDir());
  port = await freePort();
  await copyFile(join(repoRoot, 'examples/quickstart/server.mjs'), join(dir, 'server.mjs'));
  await writeFile(
    join(dir, 'faultline.yaml'),
    `services:\n  api:\n    process:\n      command: node server.mjs\n      env: { PORT: "${port}", WARMUP_MS: "50" }\n      restart: { policy: always, delay: 50ms }\n    health:\n      http: http://127.0.0.1:${port}/health\n`,
  );
});
after(() => cleanup());

test('a run writes no credential into journal.json or any report; files 0600 in a 0700 dir', async () => {
  const experiment = `title: secrets stay out
hypothesis:
  probes:
    - name: api answers
      http: { url: "http://127.0.0.1:${port}/health", headers: { Authorization: "Bearer s3cr3t-probe", Accept: application/json } }
load:
  url: http://127.0.0.1:${port}/
  rate: 20/s
  headers: { X-Api-Key: s3cr3t-load }
method:
  - fault: kill
    target: api
rollbacks:
  - http: { url: "http://admin:s3cr3t-url@127.0.0.1:${port}/health", method: POST, body: "password=s3cr3t-body" }
recovery: { within: 10s, sustained: 2 }
`;
  await writeFile(join(dir, 'secrets.yaml'), experiment);
  const r = await runCli(['run', 'secrets.yaml', '-r', 'out', '--json'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /s3cr3t/, '--json prints the redacted journal');
  const out = join(dir, 'out');
  assert.equal((await stat(out)).mode & 0o777, 0o700);
  const files = await readdir(out);
  assert.deepEqual(files.sort(), ['journal.json', 'junit.xml', 'report.html', 'report.md']);
  for (const f of files) {
    const text = await readFile(join(out, f), 'utf8');
    assert.doesNotMatch(text, /s3cr3t/, `${f} holds a secret`);
    assert.equal((await stat(join(out, f))).mode & 0o777, 0o600, `${f} mode`);
  }
  const text = await readFile(join(out, 'journal.json'), 'utf8');
  const journal = JSON.parse(text) as { experiment: { hypothesis: { probes: { http: { headers: Record<string, string> } }[] }; rollbacks: { http: { url: string; body: string } }[] } };
  assert.deepEqual(journal.experiment.hypothesis.probes[0]!.http.headers, { Authorization: REDACTED, Accept: 'application/json' }, 'only the credential is hidden');
  assert.match(text, /"X-Api-Key": "\[redacted\]"/, 'the load header is there, hidden');
  assert.equal(journal.experiment.rollbacks[0]!.http.body, REDACTED);
  assert.equal(journal.experiment.rollbacks[0]!.http.url, `http://admin:${REDACTED}@127.0.0.1:${port}/health`);
});

test('redact: env values named like secrets, nothing else; the input is left as it was', () => {
  const input = { load: { command: 'k6 run x.js', env: { API_TOKEN: 'a', DB_PASSWORD: 'b', SESSION_COOKIE: 'c', AWS_SECRET_ACCESS_KEY: 'd', BASE_URL: 'http://x', USERS: '10' } } };
  assert.deepEqual(redact(input).load.env, { API_TOKEN: REDACTED, DB_PASSWORD: REDACTED, SESSION_COOKIE: REDACTED, AWS_SECRET_ACCESS_KEY: REDACTED, BASE_URL: 'http://x', USERS: '10' });
  assert.equal(input.load.env.API_TOKEN, 'a');
});
