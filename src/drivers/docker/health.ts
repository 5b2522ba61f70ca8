/**
 * A docker-backed service without a `health:` block is watched through the Engine's own view of
 * it: a command health check (the `docker` CLI, run from the system file's directory) that passes
 * when
 * - `container:` the container is running and, if it has a HEALTHCHECK, healthy;
 * - `compose:` the service has containers and every one is running and not unhealthy or still
 *   starting its health check (so recovery means "all replicas back");
 * - `swarm:` the service runs as many tasks as it wants (`docker service ls` REPLICAS n/n).
 * The check prints what it saw, e.g. `2/3 running and healthy` or `exited healthy?`.
 */
import type { DockerServiceConfig } from './target.js';

const CONTAINER = [
  's=$(docker "$@" inspect -f "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}no-healthcheck{{end}}" "$CONTAINER" 2>&1) || { echo "$s"; exit 1; }',
  'echo "$s"',
  'case "$s" in "running healthy"|"running no-healthcheck") exit 0;; esac',
  'exit 1',
].join('\n');

const COMPOSE = [
  'p=${PROJECT:-$(basename "$PWD" | tr "A-Z" "a-z" | tr -cd "a-z0-9_-")}',
  'out=$(docker "$@" ps -a --filter "label=com.docker.compose.project=$p" --filter "label=com.docker.compose.service=$SERVICE" --filter label=com.docker.compose.oneoff=False --format "{{.State}}|{{.Status}}" 2>&1) || { echo "$out"; exit 1; }',
  'total=0; good=0',
  'while IFS= read -r line; do [ -n "$line" ] || continue; total=$((total+1)); case "$line" in *"(health: starting)"*|*"(unhealthy)"*) ;; running\\|*) good=$((good+1));; esac; done <<EOT',
  '$out',
  'EOT',
  'echo "$good/$total containers of $p/$SERVICE running and healthy"',
  '[ "$total" -gt 0 ] && [ "$good" -eq "$total" ]',
].join('\n');

const SWARM = [
  'r=$(docker "$@" service ls --filter "name=$SERVICE" --format "{{.Name}} {{.Replicas}}" 2>&1) || { echo "$r"; exit 1; }',
  'x=$(printf "%s\\n" "$r" | while read -r n rest; do [ "$n" = "$SERVICE" ] && echo "$rest"; done)',
  'echo "swarm service $SERVICE: ${x:-not found} tasks running"',
  'a=${x%%/*}; b=${x#*/}; b=${b%% *}',
  '[ -n "$x" ] && [ "$a" = "$b" ] && [ "$b" != 0 ]',
].join('\n');

/** The argv of the default health check of a docker-backed service, or undefined for other services. */
export function containerHealthCommand(config: DockerServiceConfig): string[] | undefined {
  const host = config.dockerHost ? ['-H', config.dockerHost] : [];
  const env = (vars: Record<string, string>) => Object.entries(vars).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ');
  if (config.container !== undefined) return ['sh', '-c', `${env({ CONTAINER: config.container })}\n${CONTAINER}`, 'docker-health', ...host];
  if (config.compose) return ['sh', '-c', `${env({ PROJECT: config.compose.project ?? '', SERVICE: config.compose.service })}\n${COMPOSE}`, 'docker-health', ...host];
  if (config.swarm) return ['sh', '-c', `${env({ SERVICE: config.swarm.service })}\n${SWARM}`, 'docker-health', ...host];
  return undefined;
}

/** A default health block for a docker-backed service (a command probe with room for a busy engine). */
export function defaultContainerHealth(config: DockerServiceConfig): { command: string[]; timeout: number } | undefined {
  const command = containerHealthCommand(config);
  return command ? { command, timeout: 3000 } : undefined;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
