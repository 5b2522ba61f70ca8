/**
 * The registry of built-in fault kinds, keyed by the name used in experiment files. It sits with
 * the drivers (not under faults/) because it is the one place that knows every driver.
 */
import type { ServiceDriver } from '../faults/driver.js';
import type { FaultKind } from '../faults/types.js';
import { processFaults } from './process/index.js';
import { STARTED_SERVICE_KIND, startedServiceKind } from './process/started-service.js';
import { LinuxDriver, linuxFaults } from './linux/index.js';
import { ProxyDriver, proxyFaults } from './proxy/index.js';
import { DockerDriver, dockerFaults } from './docker/index.js';

export const builtinFaults = {
  ...processFaults,
  ...linuxFaults,
  ...proxyFaults,
  ...dockerFaults,
} as const;

export type BuiltinFaults = typeof builtinFaults;
export type BuiltinFaultName = keyof BuiltinFaults;

/** The registry as the runner and validator see it: any kind, by name. */
export function faultRegistry(): Record<string, FaultKind> {
  return builtinFaults as unknown as Record<string, FaultKind>;
}

/**
 * What recover, stop and the reaper can undo: every fault kind, plus the ledger's bookkeeping
 * kinds that no experiment may name (a process the run started).
 */
export function revertRegistry(): Record<string, FaultKind> {
  return { ...faultRegistry(), [STARTED_SERVICE_KIND]: startedServiceKind as unknown as FaultKind };
}

/**
 * Drivers other than `process` (which the runtime wires itself, because it shares the run's
 * supervisor): one factory per driver, since a driver holds state for one run.
 */
export const builtinDrivers: Record<string, () => ServiceDriver> = {
  linux: () => new LinuxDriver(),
  proxy: () => new ProxyDriver(),
  docker: () => new DockerDriver(),
};
