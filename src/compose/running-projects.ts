/**
 * The Compose projects whose containers on the Docker engine were started from a given Compose
 * file (see label-match.ts). Advisory: when the engine does not answer, the caller falls back to
 * the project name the file implies, so this never throws and waits a few seconds at most.
 */
import type Docker from 'dockerode';
import { describeEngine, dockerOptions, engineAddress, engineMessage, newDocker } from '../drivers/docker/engine.js';
import { COMPOSE_LABELS, startedFromFile } from './label-match.js';

/** Long enough for a busy engine; short enough that `init` on a machine with a hung one is not stuck. */
const LOOKUP_TIMEOUT_MS = 5_000;

export interface ProjectContainer {
  name: string;
  service: string;
  /** The engine's state: running, paused, exited, restarting, created… */
  state: string;
}

export interface ComposeProjectOnEngine {
  project: string;
  /** Sorted by service, then name. */
  containers: ProjectContainer[];
  /** At least one of its containers is running (or paused, or restarting). */
  running: boolean;
}

export type ProjectsLookup =
  | { answered: true; engine: string; projects: ComposeProjectOnEngine[] }
  | { answered: false; engine: string; why: string };

export interface LookupOptions {
  /** The engine's address (unix:///…, tcp://…); default DOCKER_HOST, else the local socket. */
  engine?: string;
  timeoutMs?: number;
}

/** The projects on the engine started from `composeFile` (an absolute path), sorted by name. */
export async function composeProjectsOf(composeFile: string, options: LookupOptions = {}): Promise<ProjectsLookup> {
  const engine = engineAddress(options.engine);
  const shown = describeEngine(engine);
  let list: Docker.ContainerInfo[];
  try {
    const docker = newDocker(dockerOptions(engine, options.timeoutMs ?? LOOKUP_TIMEOUT_MS));
    list = await docker.listContainers({ all: true, filters: { label: [COMPOSE_LABELS.project] } });
  } catch (err) {
    const code = (err as { code?: string }).code;
    return { answered: false, engine: shown, why: `${engineMessage(err)}${code && !engineMessage(err).includes(code) ? ` (${code})` : ''}` };
  }
  return { answered: true, engine: shown, projects: groupByProject(list, composeFile) };
}

/** The containers started from `composeFile`, by project; `docker-compose run` containers left out. */
export function groupByProject(list: Pick<Docker.ContainerInfo, 'Names' | 'Labels' | 'State'>[], composeFile: string): ComposeProjectOnEngine[] {
  const byProject = new Map<string, ProjectContainer[]>();
  for (const c of list) {
    const labels = c.Labels ?? {};
    const project = labels[COMPOSE_LABELS.project];
    if (!project || labels[COMPOSE_LABELS.oneoff] === 'True' || !startedFromFile(labels, composeFile)) continue;
    const containers = byProject.get(project) ?? [];
    containers.push({ name: (c.Names[0] ?? '').replace(/^\//, ''), service: labels[COMPOSE_LABELS.service] ?? '?', state: c.State });
    byProject.set(project, containers);
  }
  return [...byProject]
    .map(([project, containers]) => ({
      project,
      containers: containers.sort((a, b) => a.service.localeCompare(b.service) || a.name.localeCompare(b.name)),
      running: containers.some((c) => c.state === 'running' || c.state === 'paused' || c.state === 'restarting'),
    }))
    .sort((a, b) => a.project.localeCompare(b.project));
}
