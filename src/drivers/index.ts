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
import { K6_OPERATOR_LOAD_KIND, k6OperatorLoadKind } from '../load/k6-operator/ledger-kind.js';
import { KubernetesDriver, kubernetesChaosFaults, kubernetesPodFaults } from './kubernetes/index.js';

export const builtinFaults = {
  ...processFaults,
  ...linuxFaults,
  ...proxyFaults,
  ...dockerFaults,
} as const;

export type BuiltinFaults = typeof builtinFaults;
export type BuiltinFaultName = keyof BuiltinFaults;

/**
 * Kinds a kubernetes service gets under a name: its own where a name means something else
 * elsewhere (container-kill, and net-delay and the rest through Chaos Mesh), so an experiment
 * moves to a cluster by changing its targets.
 */
export const kubernetesFaults: Record<string, FaultKind> = { ...(kubernetesPodFaults as unknown as Record<string, FaultKind>), ...kubernetesChaosFaults };

/** The registry as the runner and validator see it: any kind, by name (kubernetes-only names included). */
export function faultRegistry(): Record<string, FaultKind> {
  const only = Object.fromEntries(Object.entries(kubernetesFaults).filter(([name]) => !Object.hasOwn(builtinFaults, name)));
  return { ...(builtinFaults as unknown as Record<string, FaultKind>), ...only };
}

/** The kind a fault name means on a service: the platform's own variant when it has one, else the registry's. */
export function kindForService(kinds: Record<string, FaultKind>, name: string, service: Readonly<Record<string, unknown>> | undefined): FaultKind | undefined {
  if (service?.kubernetes !== undefined && Object.hasOwn(kubernetesFaults, name)) return kubernetesFaults[name];
  return Object.hasOwn(kinds, name) ? kinds[name] : undefined;
}


/**
 * What recover, stop and the reaper can undo: every fault kind, plus the ledger's bookkeeping
 * kinds that no experiment may name (a process the run started, a k6 operator load's TestRun).
 */
export function revertRegistry(): Record<string, FaultKind> {
  // A name's platform variants under `driver/name`, which is how recover looks a record up first.
  const variants = Object.fromEntries(Object.entries(kubernetesFaults).map(([name, kind]) => [`kubernetes/${name}`, kind]));
  return { ...faultRegistry(), ...variants, [STARTED_SERVICE_KIND]: startedServiceKind as unknown as FaultKind, [K6_OPERATOR_LOAD_KIND]: k6OperatorLoadKind as unknown as FaultKind };
}

/**
 * Drivers other than `process` (which the runtime wires itself, because it shares the run's
 * supervisor): one factory per driver, since a driver holds state for one run.
 */
export const builtinDrivers: Record<string, () => ServiceDriver> = {
  linux: () => new LinuxDriver(),
  proxy: () => new ProxyDriver(),
  docker: () => new DockerDriver(),
  kubernetes: () => new KubernetesDriver(),
};
