/**
 * Who needs an approval: an experiment that says `requiresApproval: true`, or any experiment on a
 * system that says so or whose `environment` is production (`production` or `prod`, any case).
 */
import type { LoadedExperiment } from '../experiment/loader/load-experiment.js';
import type { LoadedSystem } from '../experiment/loader/load-system.js';
import { shown } from './command.js';

const PRODUCTION = new Set(['production', 'prod']);

export function isProduction(environment: string | undefined): boolean {
  return environment !== undefined && PRODUCTION.has(environment.trim().toLowerCase());
}

/** Why this system's experiments need an approval, one reason per setting; empty when they do not. */
export function systemApprovalReasons(system: LoadedSystem): string[] {
  const reasons: string[] = [];
  const file = shown(system.absPath);
  if (system.system.requiresApproval === true) reasons.push(`the system file ${file} says requiresApproval: true`);
  if (isProduction(system.system.environment)) reasons.push(`the system file ${file} says environment: ${system.system.environment}`);
  return reasons;
}

/** Why this run needs an approval (the experiment's setting first); empty when it does not. */
export function approvalReasons(loaded: LoadedExperiment): string[] {
  const own = loaded.experiment.requiresApproval === true ? [`${loaded.file} says requiresApproval: true`] : [];
  return [...own, ...systemApprovalReasons(loaded.system)];
}
