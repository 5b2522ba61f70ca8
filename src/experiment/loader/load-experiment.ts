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
import { checkReferences } from './check-references.js';
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
 */
export async function loadExperimentDocument(doc: StructuredDocument, options: LoadOptions): Promise<LoadedExperiment> {
  const cwd = options.cwd ?? process.cwd();
  const experiment = checkExperimentDocument(doc, options.kinds);
  const systemPath = locateSystemFile(doc, experiment, options.systemFile, cwd);
  const system = await loadSystem(systemPath.file, systemPath.cwd);
  const issues = checkReferences(doc, experiment, system, options.kinds);
  if (issues.length > 0) throw new ValidationError(issues);
  return { file: doc.file, absPath: doc.absPath, dir: dirname(doc.absPath), experiment, system };
}

export function checkExperimentDocument(doc: StructuredDocument, kinds: Record<string, FaultKind>): Experiment {
  const parsed = topLevel.safeParse(doc.data);
  if (!parsed.success) {
    // Still check the steps, so one run of `validate` lists every problem.
    const issues = fromZod(doc, parsed.error);
    const raw = (doc.data as { method?: unknown } | null)?.method;
    if (Array.isArray(raw)) validateSteps(doc, raw, ['method'], kinds, issues);
    throw new ValidationError(issues);
  }
  const issues: ValidationIssue[] = [];
  const method: Step[] = validateSteps(doc, parsed.data.method as unknown[], ['method'], kinds, issues);
  if (issues.length > 0) throw new ValidationError(issues);
  return { ...parsed.data, method } as Experiment;
}

function locateSystemFile(doc: StructuredDocument, experiment: Experiment, flag: string | undefined, cwd: string): { file: string; cwd: string } {
  if (flag) return { file: flag, cwd };
  const dir = dirname(doc.absPath);
  if (experiment.system) {
    if (!existsSync(resolve(dir, experiment.system))) {
      throw new ValidationError([issueAt(doc, ['system'], `system file not found: ${resolve(dir, experiment.system)} (paths are relative to the experiment file)`)]);
    }
    return { file: resolve(dir, experiment.system), cwd };
  }
  for (const candidate of [resolve(dir, 'faultline.yaml'), resolve(cwd, 'faultline.yaml')]) {
    if (existsSync(candidate)) return { file: candidate, cwd };
  }
  throw new ValidationError([
    { file: doc.file, path: 'system', message: 'no system file: name one with `system:` in the experiment or --system, or put faultline.yaml beside the experiment' },
  ]);
}
