/**
 * Whether a container was started from a given Compose file, by the labels Compose puts on it.
 * docker-compose v1 (1.29, checked on Debian 12) records `config_files` as the `-f` paths were
 * typed — relative to where it ran, which it does not record — and `working_dir` as the first
 * file's directory; Compose v2 records both as absolute paths. Paths are compared resolved and
 * with symlinks followed, so /tmp/x and a link to it are the same file.
 */
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, normalize, resolve, sep } from 'node:path';

export const COMPOSE_LABELS = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  configFiles: 'com.docker.compose.project.config_files',
  workingDir: 'com.docker.compose.project.working_dir',
  /** "True" on `docker-compose run` containers: not the project's services. */
  oneoff: 'com.docker.compose.oneoff',
} as const;

/** A path with symlinks followed when it exists here, else only resolved. */
export function canonicalPath(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return resolve(path);
  }
}

/** True when the labels name `composeFile` (absolute) among the project's config files. */
export function startedFromFile(labels: Record<string, string>, composeFile: string, canonical: (path: string) => string = canonicalPath): boolean {
  const target = canonical(composeFile);
  const workingDir = labels[COMPOSE_LABELS.workingDir];
  const files = (labels[COMPOSE_LABELS.configFiles] ?? '').split(',').map((f) => f.trim()).filter((f) => f !== '');
  // Compose before 1.25 set no config_files: the project directory is all there is to go by.
  if (files.length === 0) return workingDir !== undefined && isAbsolute(workingDir) && canonical(workingDir) === dirname(target);
  const bases = invocationDirs(files[0]!, workingDir);
  return files.some((f) => (isAbsolute(f) ? canonical(f) === target : bases.some((base) => canonical(resolve(base, f)) === target)));
}

/**
 * Where docker-compose may have run, to resolve relative config_files against: working_dir minus
 * the first file's relative directory (`-f sub/compose.yml` run from the parent gives working_dir
 * …/sub), then working_dir itself (`--project-directory`, or a first file given as a bare name).
 */
export function invocationDirs(firstFile: string, workingDir: string | undefined): string[] {
  if (workingDir === undefined || !isAbsolute(workingDir)) return [];
  const wd = normalize(workingDir).replace(/(.)\/+$/, '$1');
  const dirs = [wd];
  if (isAbsolute(firstFile)) return dirs;
  const rel = dirname(normalize(firstFile));
  if (rel !== '.' && !rel.split(sep).includes('..') && wd.endsWith(`${sep}${rel}`)) dirs.unshift(wd.slice(0, wd.length - rel.length - 1) || sep);
  return dirs;
}
