/**
 * `catalog:<name>` → an experiment: the template is rendered with --target / --set values against
 * the system file (--system, else ./faultline.yaml), and the result goes through the same loader
 * and validator as a file, named `catalog:<name>` in every error message. Any problem — an unknown
 * template, an unknown or ill-typed parameter, a missing required one — is a ValidationError
 * (exit 2) before anything is touched.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, ValidationError, type ValidationIssue } from '../errors/index.js';
import type { ExperimentInput } from '../experiment/define.js';
import { loadExperiment, loadExperimentDocument, type LoadedExperiment, type LoadOptions } from '../experiment/loader/load-experiment.js';
import { loadSystem, type LoadedSystem } from '../experiment/loader/load-system.js';
import { CATALOG, catalogTemplate } from './registry.js';
import { ParameterError, RenderContext, suggest } from './context.js';
import type { CatalogTemplate } from './types.js';

export const CATALOG_PREFIX = 'catalog:';

export interface CatalogRequest {
  /** `catalog:service-kill`, or just `service-kill`. */
  ref: string;
  /** --target: the template's `target` (or `targets`, for templates that take a list). */
  target?: string;
  /** --set k=v, in order (a later one wins). */
  set?: string[];
  /** --system; default ./faultline.yaml. */
  systemFile?: string;
  cwd?: string;
}

export interface RenderedCatalogExperiment {
  template: CatalogTemplate;
  /** `catalog:<name>`: the name in messages and in the journal. */
  file: string;
  experiment: ExperimentInput;
  system: LoadedSystem;
  /** Every parameter given (--target, --set) or with a literal default; derived ones only when given. */
  parameters: Record<string, string>;
}

export function isCatalogRef(file: string): boolean {
  return file.startsWith(CATALOG_PREFIX);
}

export async function renderCatalogExperiment(request: CatalogRequest): Promise<RenderedCatalogExperiment> {
  const cwd = request.cwd ?? process.cwd();
  const name = request.ref.startsWith(CATALOG_PREFIX) ? request.ref.slice(CATALOG_PREFIX.length) : request.ref;
  const file = `${CATALOG_PREFIX}${name}`;
  const template = catalogTemplate(name);
  if (!template) {
    const names = CATALOG.map((t) => t.name);
    const hint = suggest(name, names) ?? names.find((n) => name.length >= 3 && n.includes(name));
    throw new ValidationError([
      { file, path: '', message: `unknown catalog experiment "${name}"${hint ? `; did you mean "${hint}"?` : ''} (\`faultline experiments list\` shows all ${names.length}: ${names.join(', ')})` },
    ]);
  }
  const values = parseValues(template, request, file);
  const systemFile = request.systemFile ?? 'faultline.yaml';
  if (!existsSync(resolve(cwd, systemFile))) {
    const message = request.systemFile
      ? `system file not found: ${resolve(cwd, systemFile)}`
      : `no system file: ./faultline.yaml does not exist here (${cwd}); name one with --system FILE — a catalog experiment is rendered from the system's services`;
    throw new ValidationError([{ file, path: 'system', message }]);
  }
  const system = await loadSystem(systemFile, cwd);
  const problems = RenderContext.check(template, system.system, values);
  if (problems.length > 0) throw new ValidationError(problems.map((p) => issue(file, p)));
  try {
    const experiment = template.render(new RenderContext(template, system.system, systemFile, values));
    return { template, file, experiment, system, parameters: resolvedParameters(template, values) };
  } catch (err) {
    if (err instanceof ParameterError) throw new ValidationError([issue(file, err)]);
    throw err;
  }
}

/** Renders the template and loads the result like a file: schema, steps, references to the system. */
export async function resolveCatalogExperiment(request: CatalogRequest, options: Pick<LoadOptions, 'kinds'>): Promise<LoadedExperiment> {
  const cwd = request.cwd ?? process.cwd();
  const rendered = await renderCatalogExperiment(request);
  const doc = { file: rendered.file, absPath: resolve(cwd, rendered.file), data: rendered.experiment, locate: () => undefined };
  const loaded = await loadExperimentDocument(doc, { kinds: options.kinds, cwd, systemFile: request.systemFile ?? 'faultline.yaml' });
  return { ...loaded, catalogParameters: rendered.parameters, catalogArgs: { ...(request.target !== undefined ? { target: request.target } : {}), set: request.set ?? [] } };
}

function resolvedParameters(template: CatalogTemplate, values: Map<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of template.parameters) {
    const value = values.get(p.name) ?? (p.required || p.derived ? undefined : p.default);
    if (value !== undefined) out[p.name] = value;
  }
  return out;
}

function parseValues(template: CatalogTemplate, request: CatalogRequest, file: string): Map<string, string> {
  const values = new Map<string, string>();
  const issues: ValidationIssue[] = [];
  if (request.target !== undefined) {
    const takes = template.parameters.some((p) => p.name === 'target') ? 'target' : template.parameters.some((p) => p.name === 'targets') ? 'targets' : undefined;
    if (takes) values.set(takes, request.target);
    else issues.push({ file, path: 'target', message: `${file} takes no --target (its parameters: ${template.parameters.map((p) => p.name).join(', ')})` });
  }
  for (const pair of request.set ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      issues.push({ file, path: '--set', message: `expected --set name=value, got "${pair}"` });
      continue;
    }
    values.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  if (issues.length) throw new ValidationError(issues);
  return values;
}

function issue(file: string, err: ParameterError): ValidationIssue {
  return { file, path: err.parameter, message: err.message };
}

/**
 * What `run` and `validate` call for their file argument: a catalog reference is rendered and
 * loaded, anything else is loaded as a file (where --target and --set have no meaning).
 */
export async function loadExperimentOrCatalog(
  file: string,
  options: { systemFile?: string; target?: string; set?: string[]; kinds: LoadOptions['kinds'] },
): Promise<LoadedExperiment> {
  if (isCatalogRef(file)) return resolveCatalogExperiment({ ref: file, target: options.target, set: options.set, systemFile: options.systemFile }, options);
  if (options.target !== undefined || (options.set?.length ?? 0) > 0) {
    throw new UsageError(`--target and --set are parameters of catalog experiments (catalog:<name>), not of a file such as ${file}`);
  }
  return loadExperiment(file, { systemFile: options.systemFile, kinds: options.kinds });
}

/** commander's collector for a repeatable option. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
