// docs/ci.md shows the files `faultline ci init` writes: this keeps them what it really writes.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderGithubWorkflow } from '../../src/ci/github.js';
import { renderGitlabCi } from '../../src/ci/gitlab.js';
import { resolveCiOptions } from '../../src/ci/options.js';
import { runScript } from '../../src/ci/run-script.js';
import { literal } from '../../src/ci/yaml-text.js';
import { repoRoot } from '../helpers/cli.js';

/** The GitLab example leaves out the run script, shown in full in the GitHub one. */
const CUT = '# … the run script, the same as in the GitHub workflow above …';

test('docs/ci.md holds the full GitHub example and the GitLab one as generated (faultline ci init … --compose docker-compose.yml)', async () => {
  const doc = await readFile(join(repoRoot, 'docs', 'ci.md'), 'utf8');
  const options = resolveCiOptions({ compose: 'docker-compose.yml' });
  const gitlab = renderGitlabCi(options).replace(literal(runScript(), 6), `|\n      ${CUT}`);
  for (const [name, text] of [['GitHub', renderGithubWorkflow(options)], ['GitLab', gitlab]] as const) {
    assert.ok(doc.includes(`\`\`\`yaml\n${text}\`\`\`\n`), `docs/ci.md shows the ${name} file as faultline ci init writes it now: paste it again`);
  }
});
