/**
 * A docker-backed service without a `health:` block is watched through the Engine's own view of
 * it: a command health check (the `docker` CLI, run from the system file's directory) that passes
 * when
 * - `container:` the container is running and, if it has a HEALTHCHECK, healthy;
 * - `compose:` the service has containers and every one is running and not unhealthy or still
 *   starting its health check (so recovery means "all replicas back");
 * - `swarm:` the service runs as many tasks as it wants (`docker service ls` REPLICAS n/n, and
 *   counted again from the task list), and each task the manager has running on this engine's
 *   node has a running container here.
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

// The manager's REPLICAS count learns of a task's death from the node's agent, a moment (a second
// or more on a busy host) after the engine: a run that trusted it alone could call a service
// recovered before Swarm had even noticed the crash, stop watching, and miss the replacement. So
// the check counts the tasks itself, from one list of the tasks the manager wants running: one is
// up when the manager has it running and, if it is on this engine's own node, its container runs
// here (tasks on other nodes are seen through the manager only). A replacement waiting out its
// restart delay is wanted "ready", not "running", so it never counts; and the count is compared
// with the replicas the service asks for, so a stale REPLICAS column cannot make up for it.
const SWARM = [
  'r=$(docker "$@" service ls --filter "name=$SERVICE" --format "{{.Name}} {{.Replicas}}" 2>&1) || { echo "$r"; exit 1; }',
  'x=$(printf "%s\\n" "$r" | while read -r n rest; do [ "$n" = "$SERVICE" ] && echo "$rest"; done)',
  'a=${x%%/*}; b=${x#*/}; b=${b%% *}',
  'if [ -z "$x" ] || [ "$a" != "$b" ] || [ "$b" = 0 ]; then echo "swarm service $SERVICE: ${x:-not found} tasks running"; exit 1; fi',
  'node=$(docker "$@" info --format "{{.Swarm.NodeID}}" 2>&1) || { echo "$node"; exit 1; }',
  'here=$(docker "$@" service ps "$SERVICE" --filter desired-state=running --filter "node=$node" --no-trunc -q 2>&1) || { echo "$here"; exit 1; }',
  'all=$(docker "$@" service ps "$SERVICE" --filter desired-state=running --no-trunc --format "{{.ID}} {{.CurrentState}}" 2>&1) || { echo "$all"; exit 1; }',
  'have=$(docker "$@" ps --filter "label=com.docker.swarm.service.name=$SERVICE" --filter status=running --format "{{.Label \\"com.docker.swarm.task.id\\"}}" 2>&1) || { echo "$have"; exit 1; }',
  'here=" $(echo $here) "; have=" $(echo $have) "; up=0; down=0',
  'while read -r t state rest; do',
  '  [ "$state" = Running ] || continue',
  '  case "$here" in *" $t "*) case "$have" in *" $t "*) up=$((up+1));; *) down=$((down+1));; esac;; *) up=$((up+1));; esac',
  'done <<EOT',
  '$all',
  'EOT',
  'if [ "$down" -gt 0 ]; then echo "swarm service $SERVICE: $x tasks running by the manager\'s count, but $down task(s) on this node have no running container"; exit 1; fi',
  'if [ "$up" -lt "$b" ]; then echo "swarm service $SERVICE: $up/$b tasks running (the manager\'s count, $x, is catching up)"; exit 1; fi',
  'echo "swarm service $SERVICE: $x tasks running"',
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
