// The flags of `faultline ci init`, checked before anything is rendered: each bad value is named
// with what was expected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { faultlineVersion, resolveCiOptions, type CiFlags } from '../../src/ci/options.js';

const refused = (flags: CiFlags, message: RegExp) => assert.throws(() => resolveCiOptions(flags), (err: Error & { code?: string }) => err.code === 'E_USAGE' && message.test(err.message));

test('defaults: chaos/*.yaml, faultline.yaml, Mondays 06:00, FAULTLINE_NOTIFY_URL, Node 20, this faultline', () => {
  assert.deepEqual(resolveCiOptions({}), {
    experiments: 'chaos/*.yaml',
    system: 'faultline.yaml',
    start: { kind: 'none' },
    cron: '0 6 * * 1',
    notifySecret: 'FAULTLINE_NOTIFY_URL',
    node: 20,
    installSpec: `faultline@${faultlineVersion()}`,
  });
});

test('--cron: five fields, in range, without Quartz extras', () => {
  assert.equal(resolveCiOptions({ cron: ' 0  6 * * MON-FRI ' }).cron, '0 6 * * MON-FRI');
  assert.equal(resolveCiOptions({ cron: '*/15 1-5 1,15 * *' }).cron, '*/15 1-5 1,15 * *');
  refused({ cron: '0 6 * *' }, /--cron "0 6 \* \*": expected five fields .*got 4/);
  refused({ cron: '0 0 6 * * 1' }, /expected five fields .*got 6/);
  refused({ cron: '@weekly' }, /expected five fields/);
  refused({ cron: '61 6 * * 1' }, /--cron "61 6 \* \* 1": Invalid value for minute: 61/);
  refused({ cron: '0 6 L * *' }, /field 3 \(L\) may hold only digits/);
  refused({ cron: '0 6 * * 1#2' }, /field 5 \(1#2\)/);
});

test('--system "": no system file is passed, each experiment names its own', () => {
  assert.equal(resolveCiOptions({ system: '' }).system, '');
});

test('--compose, --start and --stop', () => {
  assert.deepEqual(resolveCiOptions({ compose: 'deploy/compose.yaml' }).start, { kind: 'compose', file: 'deploy/compose.yaml' });
  assert.deepEqual(resolveCiOptions({ start: ' npm start & ', stop: 'pkill x' }).start, { kind: 'command', command: 'npm start &', stop: 'pkill x' });
  refused({ compose: 'c.yml', start: 'x' }, /--compose and --start cannot be combined/);
  refused({ stop: 'x' }, /--stop needs --start/);
  refused({ compose: 'my compose.yml' }, /--compose "my compose\.yml": expected a file path .*no spaces or quotes/);
  refused({ start: '  ' }, /--start: expected the command/);
});

test('names, versions and paths that would not survive YAML or the shell are refused', () => {
  refused({ notifySecret: 'slack-url' }, /--notify-secret "slack-url": expected a secret or variable name/);
  refused({ notifySecret: 'GITHUB_TOKEN' }, /not starting with a digit or GITHUB_/);
  refused({ node: '18' }, /--node "18": expected a Node\.js major version, 20 or later/);
  refused({ node: 'lts' }, /--node "lts"/);
  refused({ system: 'a"b.yaml' }, /--system "a\\"b\.yaml": expected a file path/);
  refused({ experiments: 'chaos/$(rm -rf ~)/*.yaml' }, /--experiments .*expected space-separated glob patterns/);
  refused({ experiments: 'chaos/*.{yaml,yml}' }, /no braces: give each pattern/);
  assert.equal(resolveCiOptions({ experiments: ' chaos/[!_]*.yaml  smoke/**/*.yml ' }).experiments, 'chaos/[!_]*.yaml smoke/**/*.yml');
  refused({ faultline: '1.0; rm -rf /' }, /--faultline "1\.0; rm -rf \/": expected a version spec/);
});

test('--faultline: a version or range is faultline@it; a full spec is installed as given', () => {
  assert.equal(resolveCiOptions({ faultline: '^0.2' }).installSpec, 'faultline@^0.2');
  assert.equal(resolveCiOptions({ faultline: 'latest' }).installSpec, 'faultline@latest');
  assert.equal(resolveCiOptions({ faultline: '@acme/faultline@1.2.3' }).installSpec, '@acme/faultline@1.2.3');
  assert.equal(resolveCiOptions({ faultline: 'git+https://example.test/f.git#v1' }).installSpec, 'git+https://example.test/f.git#v1');
});
