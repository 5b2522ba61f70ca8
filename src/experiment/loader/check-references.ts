/** Checks every name an experiment uses against its system file: targets, recovery services, rollbacks, probe names. */
import { dirname } from 'node:path';
import type { ValidationIssue } from '../../errors/index.js';
import type { FaultKind } from '../../faults/types.js';
import type { SystemView } from '../../faults/driver.js';
import { builtinDrivers, kindForService } from '../../drivers/index.js';
import { k6OperatorIssues } from '../../load/k6-operator/check.js';
import { isBuiltinSpec, isCommandSpec, isK6OperatorSpec } from '../../load/spec.js';
import { loadToolProblem } from '../../load/tool-check.js';
import type { Experiment, Step, TargetRef } from '../schema/experiment.js';
import type { ServiceConfig } from '../schema/system.js';
import type { LoadedSystem } from './load-system.js';
import { unknownService } from './load-system.js';
import type { DocPath, StructuredDocument } from './read-document.js';
import { issueAt } from './zod-issues.js';

export function checkReferences(doc: StructuredDocument, experiment: Experiment, loaded: LoadedSystem, kinds: Record<string, FaultKind>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const services = loaded.system.services;
  const names = Object.keys(services);

  const guard = experiment.guardrails;
  const checkTarget = (ref: string, driver: string, path: DocPath) => {
    const [serviceName, proxyName] = splitTarget(ref);
    const svc = Object.hasOwn(services, serviceName) ? services[serviceName] : undefined;
    if (!svc) {
      // A driver may know names that are not services (the proxy driver: a dependency's name hits every link to it).
      const make = driver !== 'process' && proxyName === undefined ? builtinDrivers[driver] : undefined;
      const view = { services: services as unknown as SystemView['services'] };
      if (make && make().checkTarget({ service: serviceName, config: {} }, view) === undefined) return;
      return issues.push(issueAt(doc, path, unknownService(serviceName, names)));
    }
    if (guard.exclude.includes(serviceName)) return issues.push(issueAt(doc, path, `service "${serviceName}" is excluded by guardrails.exclude`));
    if (svc.critical && !guard.allowCritical) {
      return issues.push(issueAt(doc, path, `service "${serviceName}" is marked critical in ${loaded.file}; set guardrails.allowCritical: true to target it on purpose`));
    }
    const problem = driverProblem(driver, serviceName, svc, proxyName, loaded.system.services);
    if (problem) issues.push(issueAt(doc, path, problem));
  };

  const visit = (steps: Step[], path: DocPath) => {
    steps.forEach((step, i) => {
      const here = [...path, i];
      if (step.type === 'fault') {
        const drivers = new Map<string, string[]>();
        for (const [ref, refPath] of targetRefs(step.target, [...here, 'target'])) {
          const [service] = splitTarget(ref);
          const svc = Object.hasOwn(services, service) ? services[service] : undefined;
          const driver = kindForService(kinds, step.fault, svc as Readonly<Record<string, unknown>> | undefined)?.driver ?? 'unknown';
          drivers.set(driver, [...(drivers.get(driver) ?? []), ref]);
          checkTarget(ref, driver, refPath);
        }
        // One step, one kind: the same name on two platforms is two faults with their own parameters.
        if (drivers.has('kubernetes') && drivers.size > 1) {
          const k8s = drivers.get('kubernetes')!.join(', ');
          const others = [...drivers.entries()].filter(([d]) => d !== 'kubernetes').flatMap(([, refs]) => refs).join(', ');
          issues.push(issueAt(doc, [...here, 'target'], `${step.fault} on ${k8s} (kubernetes) is not the same fault as on ${others}: split them into two steps (a parallel group runs them together)`));
        }
      } else if (step.type !== 'wait') {
        visit(step.steps, [...here, step.type]);
      }
    });
  };
  visit(experiment.method, ['method']);

  const seen = new Set<string>();
  experiment.hypothesis.probes.forEach((p, i) => {
    if (seen.has(p.name)) issues.push(issueAt(doc, ['hypothesis', 'probes', i, 'name'], `duplicate probe name "${p.name}"`));
    seen.add(p.name);
  });
  experiment.recovery?.services?.forEach((s, i) => {
    if (!Object.hasOwn(services, s)) issues.push(issueAt(doc, ['recovery', 'services', i], unknownService(s, names)));
    else if (!services[s]!.health) issues.push(issueAt(doc, ['recovery', 'services', i], `service "${s}" has no health check in ${loaded.file}, so its recovery cannot be measured`));
  });
  experiment.rollbacks.forEach((r, i) => {
    // A rollback restores, so exclusions and criticality do not apply to it.
    if ('restart' in r && !Object.hasOwn(services, r.restart)) issues.push(issueAt(doc, ['rollbacks', i, 'restart'], unknownService(r.restart, names)));
  });
  guard.exclude.forEach((s, i) => {
    if (!Object.hasOwn(services, s)) issues.push(issueAt(doc, ['guardrails', 'exclude', i], unknownService(s, names)));
  });
  const hasLoad = experiment.load !== undefined;
  const toolProblem = hasLoad && isCommandSpec(experiment.load!) ? loadToolProblem(experiment.load, dirname(doc.absPath)) : undefined;
  if (toolProblem) issues.push(issueAt(doc, ['load', 'command'], toolProblem));
  if (hasLoad && isK6OperatorSpec(experiment.load!)) {
    for (const i of k6OperatorIssues(experiment.load, dirname(doc.absPath), loaded.system.kubernetes, loaded.file, experiment.slos.length > 0)) issues.push(issueAt(doc, i.path, i.message));
  }
  if (experiment.slos.length > 0 && !hasLoad) issues.push(issueAt(doc, ['slos'], 'SLOs judge the run\'s load figures: add a load block (load: …)'));
  guard.abortIf.forEach((g, i) => {
    const path = ['guardrails', 'abortIf', i];
    if ('availability' in g && g.availability.service !== undefined) {
      const s = g.availability.service;
      if (!Object.hasOwn(services, s)) issues.push(issueAt(doc, [...path, 'availability', 'service'], unknownService(s, names)));
      else if (!services[s]!.health) issues.push(issueAt(doc, [...path, 'availability', 'service'], `service "${s}" has no health check, so its availability cannot be watched`));
    }
    if (('errorRate' in g || 'p95' in g) && (!hasLoad || !isBuiltinSpec(experiment.load!))) {
      // They read the built-in generator's live figures; refuse rather than accept a guardrail that could never trip.
      const what = 'errorRate' in g ? 'errorRate' : 'p95';
      issues.push(
        issueAt(
          doc,
          path,
          hasLoad
            ? `${what} guardrails read the built-in load generator's live figures, and ${isK6OperatorSpec(experiment.load!) ? "faultline collects none from the k6 operator's runners" : 'an external load tool reports only when it ends'}: use load.url (the built-in generator), an availability guardrail, or an SLO`
            : `${what} guardrails read the run's load figures: add a load block (load: { url: …, rate: … })`,
        ),
      );
    }
    if ('probe' in g && !seen.has(g.probe)) {
      issues.push(issueAt(doc, [...path, 'probe'], `unknown probe "${g.probe}"; the hypothesis has: ${[...seen].join(', ') || '(no probes)'}`));
    }
  });
  // A token read from the environment must be there before the first fault, not fail mid-run.
  const tokenSet = (env: string | undefined, path: DocPath) => {
    if (env !== undefined && !process.env[env]) issues.push(issueAt(doc, path, `environment variable ${env} is not set: it must hold the bearer token for this Prometheus`));
  };
  experiment.hypothesis.probes.forEach((p, i) => tokenSet(p.prometheus?.bearerTokenEnv, ['hypothesis', 'probes', i, 'prometheus', 'bearerTokenEnv']));
  guard.prometheus.forEach((g, i) => tokenSet(g.bearerTokenEnv, ['guardrails', 'prometheus', i, 'bearerTokenEnv']));
  return issues;
}

/**
 * The kind a fault step uses, from its name and its raw target: when every service it names is on
 * one platform with its own kind of that name (kubernetes), that one; else the registry's.
 */
export function stepKindResolver(kinds: Record<string, FaultKind>, services: Record<string, ServiceConfig>): (name: string, target: unknown) => FaultKind | undefined {
  return (name, target) => {
    const refs = typeof target === 'string' ? [target] : Array.isArray(target) ? target : target && typeof target === 'object' && Array.isArray((target as { random?: unknown }).random) ? (target as { random: unknown[] }).random : [];
    const variants = new Set(
      refs.map((ref) => {
        if (typeof ref !== 'string') return undefined;
        const [service] = splitTarget(ref);
        const svc = Object.hasOwn(services, service) ? services[service] : undefined;
        return kindForService(kinds, name, svc as Readonly<Record<string, unknown>> | undefined);
      }),
    );
    return variants.size === 1 ? [...variants][0] : Object.hasOwn(kinds, name) ? kinds[name] : undefined;
  };
}

export function splitTarget(ref: string): [service: string, proxy: string | undefined] {
  const dot = ref.indexOf('.');
  return dot < 0 ? [ref, undefined] : [ref.slice(0, dot), ref.slice(dot + 1)];
}

function targetRefs(target: TargetRef, path: DocPath): [string, DocPath][] {
  if (typeof target === 'string') return [[target, path]];
  if (Array.isArray(target)) return target.map((t, i) => [t, [...path, i]]);
  return target.random.map((t, i) => [t, [...path, 'random', i]]);
}

/** Whether a driver can act on this service; a sentence saying why not when it cannot. */
function driverProblem(driver: string, name: string, svc: ServiceConfig, sub: string | undefined, services: Record<string, ServiceConfig>): string | undefined {
  if (driver === 'process') {
    if (sub !== undefined) return `process faults target a service, not a proxy: use "${name}"`;
    if (svc.endpoint !== undefined) return `service "${name}" is watch-only (endpoint): process faults need a process, pid, pidFile or match target`;
    const docker = svc.container !== undefined ? 'container' : svc.compose !== undefined ? 'compose' : svc.swarm !== undefined ? 'swarm' : undefined;
    if (docker) return `service "${name}" is a Docker service (${docker}): use the container-* faults instead (container-kill, container-stop, container-pause, container-restart; see docs/docker.md)`;
    return undefined;
  }
  const make = builtinDrivers[driver];
  if (!make) return `no driver "${driver}" is registered`;
  const view = { services: services as unknown as SystemView['services'] };
  return make().checkTarget({ service: name, ...(sub !== undefined ? { sub } : {}), config: svc as unknown as Record<string, unknown> }, view);
}
