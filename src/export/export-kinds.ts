/**
 * What `faultline export --chaos-mesh` accepts in a method: the Chaos Mesh kinds (validated with
 * their own parameters, as the kubernetes driver takes them), and for everything else a refusal
 * that names what to use instead.
 */
import { chaosMeshKinds, type ChaosMeshKind } from '../drivers/kubernetes/chaos-mesh/index.js';
import type { FaultKind } from '../faults/types.js';

/** Kinds with no Chaos Mesh form, and the nearest one that has it. */
const INSTEAD: Record<string, string> = {
  kill: 'pod-kill (or container-kill)',
  restart: 'pod-delete',
  pause: 'no Chaos Mesh kind freezes a process; pod-kill or container-kill end it instead',
  'container-restart': 'container-kill',
  'container-stop': 'pod-delete',
  'container-remove': 'pod-kill',
  latency: 'net-delay',
  jitter: 'net-delay with jitter',
  loss: 'net-loss',
  partition: 'net-partition',
  bandwidth: 'net-bandwidth',
  netem: 'net-delay or net-loss',
  stress: 'cpu-stress and memory-stress',
  'disk-fill': 'io-fault with errno: ENOSPC',
};

const NOT_IN_CHAOS_MESH: Record<string, string> = {
  scale: 'Chaos Mesh does not scale workloads',
  'rollout-restart': 'Chaos Mesh does not restart rollouts',
};

export const RANDOM_STEP = 'a random choice has no Chaos Mesh equivalent (a Workflow runs every step it names): list the steps to run in a sequence or parallel, or export one experiment per choice';
export const RANDOM_TARGET = 'a random target has no Chaos Mesh equivalent: list the services (each gets the fault), or name one and use mode: one to pick a pod at random';

/** Why a fault kind cannot be exported, or undefined when it can. */
export function unexportableKind(name: string): string | undefined {
  if (Object.hasOwn(chaosMeshKinds, name)) return undefined;
  if (Object.hasOwn(NOT_IN_CHAOS_MESH, name)) {
    return `fault ${name} has no Chaos Mesh equivalent (${NOT_IN_CHAOS_MESH[name]!}): run this experiment with faultline run, or export it without this step`;
  }
  const instead = INSTEAD[name];
  return `fault ${name} has no Chaos Mesh form${instead ? `; use ${instead}` : ''} (the Chaos Mesh kinds: ${Object.keys(chaosMeshKinds).join(', ')})`;
}

const exportOnly = (name: string) => () => {
  throw new Error(`${name}: this registry validates experiments for export; it applies nothing`);
};

/** The Chaos Mesh kinds as the loader's registry, to validate a method's steps with their parameters. */
export function exportKinds(): Record<string, FaultKind> {
  return Object.fromEntries(
    Object.values(chaosMeshKinds).map((k: ChaosMeshKind) => [
      k.name,
      { name: k.name, driver: 'kubernetes', summary: k.summary, timing: k.timing, params: k.params, plan: exportOnly(k.name), inject: exportOnly(k.name), revert: exportOnly(k.name) } satisfies FaultKind,
    ]),
  );
}
