/** The process driver: supervised and attached processes, and the faults that act on them. */
import { killFault } from './kill.js';
import { pauseFault } from './pause.js';
import { restartFault } from './restart.js';

export const processFaults = { kill: killFault, pause: pauseFault, restart: restartFault } as const;

export { killFault, type KillParams } from './kill.js';
export { pauseFault, type PauseParams } from './pause.js';
export { restartFault, type RestartParams } from './restart.js';
export { ProcessSupervisor, type SupervisorEvent, type SupervisorListener, type StartOptions, type ServiceStatus } from './supervisor.js';
export { resolveProcessTargets, type ResolveOptions, type ServiceLookup } from './target.js';
export { readUpState, writeUpState, removeUpState, upStatePath, type UpState, type UpServicesResponse } from './up-state.js';
export { startUpServer, type UpServer, type UpServerOptions } from './up-server.js';
export { UpClient } from './up-client.js';
export type { AttachSpec, ProcessController, ProcessIdentity, ProcessSpec, ProcessTarget, RestartPolicy, StopSignal } from './types.js';
