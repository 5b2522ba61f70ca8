/**
 * `faultline init --compose`: a Compose file → a commented system file that validates.
 * Problems in the compose file are one ValidationError (file, line, path, what was expected);
 * unsupported features are warnings. Writes nothing: the command decides where the text goes.
 */
import { ValidationError, type ValidationIssue } from '../errors/index.js';
import { checkSystem, type LoadedSystem } from '../experiment/loader/load-system.js';
import { parseText } from '../experiment/loader/read-document.js';
import { fail, isRecord, shown, warn, newContext, type MappingContext } from './context.js';
import { composeEnvironment, interpolate, type Environment } from './interpolate.js';
import { mapService, type PlannedService } from './map-service.js';
import { chooseProject, type ProjectChoice } from './choose-project.js';
import { readComposeFile, type ComposeDocument } from './read-compose.js';
import { renderSystem } from './render-system.js';
import { composeProjectsOf, type ProjectsLookup } from './running-projects.js';
import { findDependencyCycle } from '../util/dependency-cycle.js';

export interface ComposeToSystemOptions {
  /** --project. */
  project?: string;
  /** Where the output goes, as the user named it (for the header's `faultline validate` line). */
  outputFile?: string;
  cwd?: string;
  /** Variables for interpolation (default: process.env, over the compose directory's .env). */
  env?: Environment;
  now?: Date;
  /** What runs on the engine from this file (default: ask the engine, DOCKER_HOST else the local socket). */
  lookup?: ProjectsLookup;
}

export interface ComposeToSystemResult {
  text: string;
  project: string;
  /** How the project was chosen, and why (for the one line the commands print). */
  choice: ProjectChoice;
  /** The compose file's absolute path. */
  composeAbsPath: string;
  services: PlannedService[];
  warnings: ValidationIssue[];
  /** The generated file, loaded by the same loader `faultline validate` uses. */
  loaded: LoadedSystem;
}

const TOP_LEVEL_UNSUPPORTED: Record<string, string> = {
  include: 'include is not supported: services from included files are not mapped; run init on each file, or merge them first (`docker compose config`)',
};

export async function composeToSystem(file: string, options: ComposeToSystemOptions = {}): Promise<ComposeToSystemResult> {
  const doc = await readComposeFile(file, options.cwd);
  const ctx = newContext(doc);
  const top = topLevel(ctx, doc);
  const env = options.env ? { ...options.env } : composeEnvironment(doc.dir);
  const nameKey = typeof top.name === 'string' ? interpolate(ctx, top.name, env, ['name']) : undefined;
  const lookup = options.lookup ?? (await composeProjectsOf(doc.absPath));
  const choice = chooseProject({ composeFile: file, dir: doc.dir, lookup, ...(options.project !== undefined ? { flag: options.project } : {}), ...(nameKey ? { nameKey } : {}) });
  const { project, by, given } = choice;
  if (given !== project) {
    const message = `project name "${given}" normalised to "${project}", as docker-compose does`;
    if (by === 'name') warn(ctx, ['name'], message);
    else ctx.warnings.push({ file: by === '--project' ? '--project' : doc.file, path: '', message: by === 'directory' ? `${message} (from the compose file's directory name)` : message });
  }
  if (choice.warning) ctx.warnings.push({ file: '--project', path: '', message: choice.warning });
  for (const [key, message] of Object.entries(TOP_LEVEL_UNSUPPORTED)) if (key in top) warn(ctx, [], message, key);

  const rawServices = top.services as Record<string, unknown>;
  const known = new Set(Object.keys(rawServices));
  const services: PlannedService[] = [];
  for (const [name, raw] of Object.entries(rawServices)) {
    const planned = mapService(ctx, name, raw, project, known, env);
    if (planned) services.push(planned);
  }
  if (ctx.errors.length === 0) checkCycles(ctx, services);
  if (ctx.errors.length > 0) throw new ValidationError(ctx.errors);

  const now = options.now ?? new Date();
  const text = renderSystem(services, {
    composeFile: file,
    composeAbsPath: doc.absPath,
    project,
    projectReason: choice.reason,
    ...(options.outputFile !== undefined ? { outputFile: options.outputFile } : {}),
    now,
  });
  // The output must load as a system file: check it with the loader `faultline validate` uses.
  const loaded = checkSystem(parseText(options.outputFile ?? '<generated>', options.outputFile ?? '<generated>', text));
  return { text, project, choice, composeAbsPath: doc.absPath, services, warnings: ctx.warnings, loaded };
}

function topLevel(ctx: MappingContext, doc: ComposeDocument): Record<string, unknown> {
  const data = doc.data;
  if (!isRecord(data)) {
    throw new ValidationError([{ file: doc.file, path: '', message: `expected a compose file (a map with a top-level services: key), got ${data === null || data === undefined ? 'an empty document' : shown(data)}` }]);
  }
  if (!('services' in data)) {
    const looksV1 = Object.values(data).some((v) => isRecord(v) && ('image' in v || 'build' in v));
    const message = looksV1
      ? 'missing top-level services: key — this looks like a version 1 compose file (services at the top level), which is not supported: move the services under services:'
      : `missing top-level services: key (the compose file's services); top-level keys here: ${Object.keys(data).join(', ') || '(none)'}`;
    throw new ValidationError([{ file: doc.file, path: 'services', ...(doc.locate([]) ?? {}), message }]);
  }
  const services = data.services;
  if (!isRecord(services) || Object.keys(services).length === 0) {
    fail(ctx, ['services'], `expected a map of service name to service definition, got ${isRecord(services) ? 'an empty map' : shown(services)}`);
    throw new ValidationError(ctx.errors);
  }
  return data;
}

/** Compose refuses circular dependencies, and so does the system file: name the cycle. */
function checkCycles(ctx: MappingContext, services: PlannedService[]): void {
  const deps = new Map(services.map((s) => [s.name, s.config.dependsOn]));
  const cycle = findDependencyCycle(deps.keys(), (name) => deps.get(name) ?? []);
  if (cycle) fail(ctx, ['services', cycle[0]!, 'depends_on'], `dependencies form a cycle: ${cycle.join(' -> ')} (Compose cannot start these either)`);
}
