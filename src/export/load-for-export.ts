/**
 * Loads an experiment to export it: the loader's own checks (schema, each step's parameters —
 * those of the Chaos Mesh kinds) plus what export needs, every problem with its file, path and
 * line: steps with no Chaos Mesh equivalent (random choices, scale, rollout-restart, kinds of
 * other drivers), and targets that are not kubernetes services of the system file.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ValidationError, type ValidationIssue } from '../errors/index.js';
import { checkExperimentDocument } from '../experiment/loader/load-experiment.js';
import { loadSystem, unknownService, type LoadedSystem } from '../experiment/loader/load-system.js';
import { readStructured, type DocPath, type StructuredDocument } from '../experiment/loader/read-document.js';
import { issueAt } from '../experiment/loader/zod-issues.js';
import type { Experiment, Step } from '../experiment/schema/experiment.js';
import { exportKinds, RANDOM_STEP, RANDOM_TARGET, unexportableKind } from './export-kinds.js';

export interface LoadedForExport {
  file: string;
  experiment: Experiment;
  system: LoadedSystem;
}

export async function loadForExport(file: string, options: { systemFile?: string; cwd?: string } = {}): Promise<LoadedForExport> {
  const cwd = options.cwd ?? process.cwd();
  const doc = await readStructured(file, cwd);
  const refusals = unexportableSteps(doc);
  if (refusals.length > 0) throw new ValidationError(refusals);
  const experiment = checkExperimentDocument(doc, exportKinds());
  const system = await loadSystem(...locateSystem(doc, experiment, options.systemFile, cwd));
  const issues = targetProblems(doc, experiment, system);
  if (issues.length > 0) throw new ValidationError(issues);
  return { file: doc.file, experiment, system };
}

/** On the document as written, before the schema: these steps fail whatever their parameters. */
function unexportableSteps(doc: StructuredDocument): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const visit = (steps: unknown, path: DocPath) => {
    if (!Array.isArray(steps)) return;
    steps.forEach((raw, i) => {
      if (raw === null || typeof raw !== 'object') return;
      const step = raw as Record<string, unknown>;
      const here = [...path, i];
      if ('random' in step) return issues.push(issueAt(doc, here, RANDOM_STEP));
      if (typeof step.fault === 'string') {
        const why = unexportableKind(step.fault);
        if (why) issues.push(issueAt(doc, [...here, 'fault'], why));
        const target = step.target as Record<string, unknown> | undefined;
        if (target !== null && typeof target === 'object' && !Array.isArray(target) && 'random' in target) issues.push(issueAt(doc, [...here, 'target'], RANDOM_TARGET));
      }
      for (const group of ['sequence', 'parallel'] as const) visit(step[group], [...here, group]);
    });
  };
  visit((doc.data as { method?: unknown } | null)?.method, ['method']);
  return issues;
}

/** The experiment's system file, found as `faultline run` finds it. */
function locateSystem(doc: StructuredDocument, experiment: Experiment, flag: string | undefined, cwd: string): [file: string, cwd: string] {
  if (flag) return [flag, cwd];
  const dir = dirname(doc.absPath);
  if (experiment.system) {
    const path = resolve(dir, experiment.system);
    if (!existsSync(path)) throw new ValidationError([issueAt(doc, ['system'], `system file not found: ${path} (paths are relative to the experiment file)`)]);
    return [path, cwd];
  }
  const found = [resolve(dir, 'faultline.yaml'), resolve(cwd, 'faultline.yaml')].find((p) => existsSync(p));
  if (!found) throw new ValidationError([{ file: doc.file, path: 'system', message: 'no system file: name one with `system:` in the experiment or --system, or put faultline.yaml beside the experiment' }]);
  return [found, cwd];
}

/** Every target and peer must be a kubernetes service the guardrails allow. */
function targetProblems(doc: StructuredDocument, experiment: Experiment, loaded: LoadedSystem): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const services = loaded.system.services;
  const guard = experiment.guardrails;
  const check = (name: string, path: DocPath) => {
    const svc = Object.hasOwn(services, name) ? services[name] : undefined;
    let problem: string | undefined;
    if (!svc) problem = name.includes('.') ? `"${name}" names a proxy link: Chaos Mesh acts on pods, so name the kubernetes service itself` : unknownService(name, Object.keys(services));
    else if (!svc.kubernetes) problem = `service "${name}" is not a kubernetes service in ${loaded.file}: Chaos Mesh acts on pods, so export needs services with a kubernetes target ({ namespace, selector })`;
    else if (guard.exclude.includes(name)) problem = `service "${name}" is excluded by guardrails.exclude`;
    else if (svc.critical && !guard.allowCritical) problem = `service "${name}" is marked critical in ${loaded.file}; set guardrails.allowCritical: true to target it on purpose`;
    if (problem) issues.push(issueAt(doc, path, problem));
  };
  const visit = (steps: Step[], path: DocPath) => {
    steps.forEach((step, i) => {
      const here = [...path, i];
      if (step.type === 'fault') {
        const targets = typeof step.target === 'string' ? [step.target] : Array.isArray(step.target) ? step.target : [];
        targets.forEach((t, j) => check(t, typeof step.target === 'string' ? [...here, 'target'] : [...here, 'target', j]));
        if (typeof step.params.peer === 'string') check(step.params.peer, [...here, 'peer']);
      } else if (step.type !== 'wait') visit(step.steps, [...here, step.type]);
    });
  };
  visit(experiment.method, ['method']);
  return issues;
}
