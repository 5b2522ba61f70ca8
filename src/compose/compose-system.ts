/** A Compose file used as the system, in memory: the mapping of `faultline init --compose`, loaded and checked as a system file would be. */
import { dirname } from 'node:path';
import type { LoadedSystem } from '../experiment/loader/load-system.js';
import type { ValidationIssue } from '../errors/index.js';
import type { ChosenBy } from './choose-project.js';
import { composeToSystem } from './compose-to-system.js';

export interface ComposeSystem extends LoadedSystem {
  compose: {
    /** The compose file as the user named it (or as it was found). */
    file: string;
    project: string;
    chosenBy: ChosenBy;
    /** Why that project, for `compose project P (REASON)`. */
    reason: string;
    warnings: ValidationIssue[];
  };
}

/** The system a Compose file describes. Its paths are relative to the compose file's directory, as a faultline.yaml beside it would be. */
export async function loadComposeSystem(file: string, options: { project?: string; cwd?: string } = {}): Promise<ComposeSystem> {
  const result = await composeToSystem(file, options);
  const absPath = result.composeAbsPath;
  return {
    ...result.loaded,
    file,
    absPath,
    dir: dirname(absPath),
    compose: { file, project: result.project, chosenBy: result.choice.by, reason: result.choice.reason, warnings: result.warnings },
  };
}
