/**
 * Which Compose project a Compose file means here: the user's --project; else the project whose
 * containers on the engine were started from this file; else the name docker-compose would give
 * it now (`name:`, else the directory). Every choice comes with its reason, for one line of output.
 */
import { UsageError } from '../errors/index.js';
import { projectName } from './project-name.js';
import type { ComposeProjectOnEngine, ProjectsLookup } from './running-projects.js';

export type ChosenBy = '--project' | 'running' | 'stopped' | 'name' | 'directory';

export interface ProjectChoice {
  project: string;
  by: ChosenBy;
  /** The name before normalisation (differs only for --project, name: and the directory). */
  given: string;
  /** Why, for `compose project P (REASON)`. */
  reason: string;
  /** --project names a project other than the ones running from this file. */
  warning?: string;
}

export interface ChooseProjectInput {
  /** The compose file as the user named it (for messages). */
  composeFile: string;
  /** The compose file's directory. */
  dir: string;
  flag?: string;
  /** The compose file's top-level name:, interpolated. */
  nameKey?: string;
  lookup: ProjectsLookup;
}

export function chooseProject(input: ChooseProjectInput): ProjectChoice {
  const { composeFile, lookup } = input;
  const found = lookup.answered ? lookup.projects : [];
  if (input.flag !== undefined) {
    const { project, given } = projectName({ flag: input.flag, dir: input.dir });
    const mine = found.find((p) => p.project === project);
    const choice: ProjectChoice = { project, by: '--project', given, reason: mine ? `--project; ${containersPhrase(mine)}` : '--project' };
    if (!mine && found.length > 0) {
      choice.warning = `the containers started from ${composeFile} belong to ${found.length === 1 ? 'project' : 'projects'} ${found.map(describe).join(', ')}, not ${project}: faultline will look for containers of project ${project}`;
    }
    return choice;
  }
  const running = found.filter((p) => p.running);
  // Stopped containers still belong to their project (`docker-compose start` brings them back): better than a guess.
  const candidates = running.length > 0 ? running : found;
  if (candidates.length === 1) {
    const only = candidates[0]!;
    return { project: only.project, by: only.running ? 'running' : 'stopped', given: only.project, reason: containersPhrase(only) };
  }
  if (candidates.length > 1) {
    throw new UsageError(
      `${candidates.length} Compose projects ${running.length > 0 ? 'are running' : 'have containers'} from ${composeFile}: ${candidates.map(describe).join('; ')}. Say which one with --project NAME`,
    );
  }
  const { project, source, given } = projectName({ ...(input.nameKey ? { nameKey: input.nameKey } : {}), dir: input.dir });
  const origin = source === 'name' ? 'from its name: key' : 'from the directory name';
  const why = lookup.answered ? `nothing from ${composeFile} is running` : `the Docker engine at ${lookup.engine} did not answer (${lookup.why})`;
  return { project, by: source === 'name' ? 'name' : 'directory', given, reason: `${why}; ${origin}` };
}

/** `its containers are running: web, db (exited)`: each service once, with the state unless running. */
function containersPhrase(p: ComposeProjectOnEngine): string {
  return `${p.running ? 'its containers are running' : 'its containers exist but none is running'}: ${servicesOf(p)}`;
}

function describe(p: ComposeProjectOnEngine): string {
  return `${p.project} (${servicesOf(p)})`;
}

function servicesOf(p: ComposeProjectOnEngine): string {
  const seen = new Map<string, Set<string>>();
  for (const c of p.containers) seen.set(c.service, (seen.get(c.service) ?? new Set()).add(c.state));
  return [...seen].map(([service, states]) => (states.has('running') ? service : `${service} (${[...states].join('/')})`)).join(', ');
}
