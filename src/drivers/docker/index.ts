/**
 * The docker driver: faults on containers through the Docker Engine API (dockerode) — kill (as a
 * crash, or docker kill), stop, pause, restart, remove, CPU/memory limits, network disconnect —
 * for `container:`, `compose:` and `swarm:` services; and the containers' host pids for the linux
 * driver's network and resource faults. See docs/docker.md.
 */
import { containerDisconnectFault } from './faults/disconnect.js';
import { containerKillFault } from './faults/kill.js';
import { containerLimitFault } from './faults/limit.js';
import { containerPauseFault } from './faults/pause.js';
import { containerRemoveFault } from './faults/remove.js';
import { containerRestartFault } from './faults/restart.js';
import { containerStopFault } from './faults/stop.js';

export const dockerFaults = {
  'container-kill': containerKillFault,
  'container-stop': containerStopFault,
  'container-pause': containerPauseFault,
  'container-restart': containerRestartFault,
  'container-remove': containerRemoveFault,
  'container-limit': containerLimitFault,
  'container-disconnect': containerDisconnectFault,
} as const;

export type DockerFaultName = keyof typeof dockerFaults;

export { DockerDriver, dockerProcesses } from './driver.js';
export { EngineEventWatcher, serviceOf, type DockerServiceEvent } from './events.js';
export { defaultContainerHealth, containerHealthCommand } from './health.js';
export { isDockerService, dockerSource, resolveDockerTarget, selectReplicas, composeProject, type DockerSource, type DockerTarget, type DockerContainer, type DockerServiceConfig } from './target.js';
export { composeProjectName, engineAddress, isLocalEngine } from './engine.js';
export type { ContainerKillParams } from './faults/kill.js';
export type { ContainerStopParams } from './faults/stop.js';
export type { ContainerPauseParams } from './faults/pause.js';
export type { ContainerRestartParams } from './faults/restart.js';
export type { ContainerRemoveParams } from './faults/remove.js';
export type { ContainerLimitParams } from './faults/limit.js';
export type { ContainerDisconnectParams } from './faults/disconnect.js';
