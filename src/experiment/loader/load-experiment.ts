/**
 * Loads an experiment (YAML, JSON or TypeScript) and its system file, and checks the whole thing
 * — schema, step parameters, every reference to a service — before anything runs. Any problem
 * is a ValidationError listing every issue found, each with file, path and line.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../../errors/index.js';
import type { FaultKind } from '../../faults/types.js';
import { experimentSchema, type Experiment, type Step } from '../schema/experiment.js';
import { checkReferences, stepKindResolver } from './check-references.js';
import { loadSystem, type LoadedSystem } from './load-system.js';
import { readStructured, type StructuredDocument } from './read-document.js';
import { validateSteps } from './validate-steps.js';
import { fromZod, issueAt } from './zod-issues.js';

export interface LoadedExperiment {
  file: string;
  absPath: string;
  dir: string;
  experiment: Experiment;
  system: LoadedSystem;
  /** A catalog template's resolved parameters (given, else the literal defaults), for the run history's key. */
  catalogParameters?: Record<string, string>;
  /** A catalog template's --target and --set as given (defaults not filled in), to render it again the same way. */
  catalogArgs?: { target?: string; set: string[] };
}

export interface LoadOptions {
  /** --system: overrides the experiment's own `system`. */
  systemFile?: string;
  cwd?: string;
  kinds: Record<string, FaultKind>;
}

// Top level with method/rollbacks left open: steps are checked one by one for precise messages.
const topLevel = experimentSchema(z.unknown());

export async function loadExperiment(file: string, options: LoadOptions): Promise<LoadedExperiment> {
  const cwd = options.cwd ?? process.cwd();
  const doc = await readStructured(file, cwd);
  return loadExperimentDocument(doc, options);
}

/**
 * The same checks for an experiment that is already data — e.g. rendered from the catalog — with
 * `doc.file` as the name every error message gives (`catalog:service-kill`).
 *
 * Every problem is reported in one go, in line order: a broken step or field does not hide an
 * unknown service elsewhere, because the references are checked on whatever did parse.
 */
export async function loadExperimentDocument(doc: StructuredDocument, options: LoadOptions): Promise<LoadedExperiment> {
  const cwd = options.cwd ?? process.cwd();
  let { experiment, checkable, issues } = examineExperiment(doc, options.kinds);
  let system: LoadedSystem | undefined;
  try {
    const systemPath = locateSystemFile(doc, checkable, options.systemFile, cwd);
    if (systemPath) system = await loadSystem(systemPath.file, systemPath.cwd);
    else if (experiment) issues.push(NO_SYSTEM(doc));
    // Steps on kubernetes services use that platform's kinds (and their parameters): check them again knowing the targets.
    const services = system?.system.services;
    if (services && Object.values(services).some((svc) => svc.kubernetes !== undefined)) {
      ({ experiment, checkable, issues } = examineExperiment(doc, options.kinds, stepKindResolver(options.kinds, services)));
    }
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    issues.push(...err.issues);
  }
  if (system && checkable) issues.push(...checkReferences(doc, checkable, system, options.kinds));
  if (issues.length > 0 || !experiment || !system) throw new ValidationError(inLineOrder(issues, doc.file));
  return { file: doc.file, absPath: doc.absPath, dir: dirname(doc.absPath), experiment, system };
}

export function checkExperimentDocument(doc: StructuredDocument, kinds: Record<string, FaultKind>): Experiment {
  const { experiment, issues } = examineExperiment(doc, kinds);
  if (!experiment || issues.length > 0) throw new ValidationError(inLineOrder(issues, doc.file));
  return experiment;
}

/**
 * The schema and the steps. `experiment` only when both are clean; `checkable` is the part that
 * did parse (invalid steps and top-level fields left out), so references can still be checked.
 */
function examineExperiment(
  doc: StructuredDocument,
  kinds: Record<string, FaultKind>,
  kindFor?: (name: string, target: unknown) => FaultKind | undefined,
): { experiment?: Experiment; checkable?: Experiment; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const parsed = topLevel.safeParse(doc.data);
  const raw = (doc.data as { method?: unknown } | null)?.method;
  // Invalid steps keep their place (as no-ops), so the valid ones keep their paths for the reference check.
  const method: Step[] = Array.isArray(raw) ? validateSteps(doc, raw, ['method'], kinds, issues, { keepPlaces: true, ...(kindFor ? { kindFor } : {}) }) : [];
  if (parsed.success) {
    const checkable = { ...parsed.data, method } as Experiment;
    return issues.length === 0 ? { experiment: checkable, checkable, issues } : { checkable, issues };
  }
  issues.push(...fromZod(doc, parsed.error));
  return { ...partialTopLevel(doc.data, parsed.error, method), issues };
}

/** The top level without the fields that failed (placeholders for the required ones), for checking references. */
function partialTopLevel(data: unknown, error: z.ZodError, method: Step[]): { checkable?: Experiment } {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return {};
  const bad = new Set(error.issues.flatMap((i) => (i.code === 'unrecognized_keys' && i.path.length === 0 ? i.keys : [i.path[0]])).filter((k) => k !== undefined));
  const rest = Object.fromEntries(Object.entries(data).filter(([k]) => !bad.has(k) && k !== 'method'));
  const retry = topLevel.safeParse({ title: '(invalid)', ...rest, method: [null] });
  return retry.success ? { checkable: { ...retry.data, method } as Experiment } : {};
}

/** This file's problems by line (those without one first: they concern the whole file), then other files' (the system file). */
function inLineOrder(issues: ValidationIssue[], file: string): ValidationIssue[] {
  const files = [file, ...new Set(issues.map((i) => i.file).filter((f) => f !== file))];
  return issues
    .map((issue, i) => ({ issue, i }))
    .sort((a, b) => files.indexOf(a.issue.file) - files.indexOf(b.issue.file) || (a.issue.line ?? 0) - (b.issue.line ?? 0) || (a.issue.column ?? 0) - (b.issue.column ?? 0) || a.i - b.i)
    .map(({ issue }) => issue);
}

const NO_SYSTEM = (doc: StructuredDocument): ValidationIssue => ({
  file: doc.file,
  path: 'system',
  message: 'no system file: name one with `system:` in the experiment or --system, or put faultline.yaml beside the experiment',
});

function locateSystemFile(doc: StructuredDocument, experiment: Experiment | undefined, flag: string | undefined, cwd: string): { file: string; cwd: string } | undefined {
  if (flag) return { file: flag, cwd };
  const dir = dirname(doc.absPath);
  if (experiment?.system) {
    if (!existsSync(resolve(dir, experiment.system))) {
      throw new ValidationError([issueAt(doc, ['system'], `system file not found: ${resolve(dir, experiment.system)} (paths are relative to the experiment file)`)]);
    }
    return { file: resolve(dir, experiment.system), cwd };
  }
  // An invalid `system:` field is reported by the schema; do not guess another file for it.
  if (experiment === undefined || (doc.data as { system?: unknown } | null)?.system !== undefined) return undefined;
  for (const candidate of [resolve(dir, 'faultline.yaml'), resolve(cwd, 'faultline.yaml')]) {
    if (existsSync(candidate)) return { file: candidate, cwd };
  }
  return undefined;
}
