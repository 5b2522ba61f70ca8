/** The Compose file a directory holds, found by the names and precedence `docker compose` (v2) uses. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** compose-go's default names, in its order of preference (docker-compose v1 tries the docker-compose.* names first). */
export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'] as const;

/** The first of COMPOSE_FILE_NAMES present in `dir`, and the others present (Compose warns about them and ignores them). */
export function findComposeFile(dir: string, exists: (path: string) => boolean = existsSync): { file: string; ignored: string[] } | undefined {
  const present = COMPOSE_FILE_NAMES.filter((name) => exists(join(dir, name)));
  const [file, ...ignored] = present;
  return file === undefined ? undefined : { file, ignored };
}
