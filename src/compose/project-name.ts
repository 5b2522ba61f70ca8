/** The Compose project name, which docker-compose puts in every container's com.docker.compose.project label. */
import { basename } from 'node:path';
import { UsageError } from '../errors/index.js';

export type ProjectSource = '--project' | 'name' | 'directory';

/** docker-compose v1's normalisation: lowercase, then keep only a-z, 0-9, "_" and "-". */
export function normalizeProjectName(name: string): string {
  return name.toLowerCase().replace(/[^-_a-z0-9]/g, '');
}

/** --project, else the compose file's top-level `name:`, else the compose file's directory name; normalised. */
export function projectName(options: { flag?: string; nameKey?: string; dir: string }): { project: string; source: ProjectSource; given: string } {
  const [given, source]: [string, ProjectSource] =
    options.flag !== undefined ? [options.flag, '--project'] : options.nameKey ? [options.nameKey, 'name'] : [basename(options.dir), 'directory'];
  const project = normalizeProjectName(given);
  if (!project) {
    const what = source === '--project' ? `--project "${given}"` : source === 'name' ? `the compose file's name: "${given}"` : `the directory name "${given}"`;
    throw new UsageError(`cannot make a compose project name from ${what}: nothing is left after keeping only a-z, 0-9, "_" and "-"; name the project with --project NAME`);
  }
  return { project, source, given };
}
