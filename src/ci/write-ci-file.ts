/**
 * Where a CI file goes and whether it may: an existing file is never replaced without --force, and
 * an existing .gitlab-ci.yml (the project's whole pipeline) is never the default target.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors/index.js';
import type { CiPlatform } from './generated-by.js';

export const DEFAULT_OUTPUT: Record<CiPlatform, string> = {
  github: '.github/workflows/chaos.yml',
  gitlab: '.gitlab-ci.yml',
};
/** Where the GitLab job goes when the project already has a pipeline, to `include:` from it. */
export const GITLAB_INCLUDE_OUTPUT = '.gitlab/chaos.yml';

export function outputFor(platform: CiPlatform, flags: { output?: string; force?: boolean }, cwd = process.cwd()): string {
  const output = flags.output ?? DEFAULT_OUTPUT[platform];
  if (!existsSync(resolve(cwd, output)) || flags.force) return output;
  if (platform === 'gitlab' && flags.output === undefined) {
    throw new UsageError(
      `${output} already exists (the project's pipeline); nothing was written. Write the chaos job to a file of its own and include it: ` +
        `faultline ci init --gitlab --output ${GITLAB_INCLUDE_OUTPUT}, then add  include: [{ local: ${GITLAB_INCLUDE_OUTPUT} }]  to ${output}. ` +
        `--force replaces ${output} instead`,
    );
  }
  throw new UsageError(`${output} already exists; nothing was written. Use --force to overwrite it, or --output FILE to write elsewhere`);
}

/** Written whole or not at all: a temporary file beside it, renamed over it. */
export async function writeCiFile(output: string, text: string, cwd = process.cwd()): Promise<void> {
  const target = resolve(cwd, output);
  await mkdir(dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, text, { flag: 'wx' });
  await rename(temp, target);
}
