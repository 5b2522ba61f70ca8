/**
 * What a quick command does to one service, by the service's kind: `kill api` is the process
 * fault `kill` on a process service and `container-kill` (a crash, so the restart policy fires)
 * on a container, Compose or Swarm service. Flags that only make sense for one kind are refused
 * on the other, naming the kind, rather than silently ignored.
 */
import { dockerSource, type DockerSource } from '../drivers/docker/index.js';
import { UsageError } from '../errors/index.js';
import type { ServiceConfig } from '../experiment/schema/system.js';

export type QuickAction = 'kill' | 'pause' | 'restart' | 'limit';
export type ServiceKind = 'process' | DockerSource | 'endpoint' | 'kubernetes';

/** The command-line flags an action may take; which apply depends on the service's kind. */
export interface QuickActionFlags {
  signal?: string;
  /** container-kill: crash (default) or engine. */
  method?: string;
  /** Compose/Swarm: how many replicas (a count or a percentage). */
  replicas?: string;
  /** container-restart: the stop timeout before SIGKILL. */
  stopTimeout?: number;
  cpus?: number;
  memory?: string;
  /** resource-limit (process services): auto, in-place or move. */
  mode?: string;
}

export interface QuickFaultChoice {
  fault: string;
  params: Record<string, unknown>;
}

export function serviceKind(svc: ServiceConfig): ServiceKind {
  const docker = dockerSource(svc);
  if (docker) return docker;
  if (svc.kubernetes !== undefined) return 'kubernetes';
  return svc.endpoint !== undefined ? 'endpoint' : 'process';
}

const DOCKER_ONLY: Partial<Record<keyof QuickActionFlags, string>> = { method: '--method', replicas: '--replicas', stopTimeout: '--stop-timeout' };
const PROCESS_ONLY: Partial<Record<keyof QuickActionFlags, string>> = { mode: '--mode' };

/** The fault and parameters for `action` on `service`; a UsageError for a flag its kind does not take. */
export function quickFault(action: QuickAction, service: string, svc: ServiceConfig, flags: QuickActionFlags = {}): QuickFaultChoice {
  const kind = serviceKind(svc);
  if (kind === 'endpoint') throw new UsageError(`service ${service} is watch-only (endpoint: ${String(svc.endpoint)}): there is no process or container to ${action}`);
  if (kind === 'kubernetes') return kubernetesQuickFault(action, service, flags);
  const refused = kind === 'process' ? DOCKER_ONLY : PROCESS_ONLY;
  for (const [key, flag] of Object.entries(refused)) {
    if (flags[key as keyof QuickActionFlags] !== undefined) {
      throw new UsageError(`${flag} applies to ${kind === 'process' ? 'Docker services (container, compose, swarm)' : 'process services'}; ${service} is a ${kindLabel(kind)} service`);
    }
  }
  const replicas = flags.replicas !== undefined ? { replicas: replicasValue(flags.replicas) } : {};
  if (kind === 'process') {
    switch (action) {
      case 'kill':
        return { fault: 'kill', params: { ...(flags.signal !== undefined ? { signal: flags.signal } : {}) } };
      case 'pause':
        return { fault: 'pause', params: {} };
      case 'restart':
        return { fault: 'restart', params: {} };
      case 'limit':
        return { fault: 'resource-limit', params: { ...(flags.mode !== undefined ? { mode: flags.mode } : {}), ...limits(flags) } };
    }
  }
  switch (action) {
    case 'kill':
      // A Swarm service loses one task unless told otherwise: Swarm replaces it, which is what is measured.
      return {
        fault: 'container-kill',
        params: {
          ...(flags.signal !== undefined ? { signal: flags.signal } : {}),
          ...(flags.method !== undefined ? { method: flags.method } : {}),
          ...(flags.replicas === undefined && kind === 'swarm' ? { replicas: 1 } : replicas),
        },
      };
    case 'pause':
      return { fault: 'container-pause', params: replicas };
    case 'restart':
      return { fault: 'container-restart', params: { ...replicas, ...(flags.stopTimeout !== undefined ? { timeout: flags.stopTimeout } : {}) } };
    case 'limit':
      return { fault: 'container-limit', params: { ...replicas, ...limits(flags) } };
  }
}

/**
 * On a kubernetes service: kill is `pod-kill` of one pod (its controller replaces it), restart a
 * rollout restart. Pausing or limiting a pod has no core-API form: an experiment with Chaos Mesh's
 * stress faults is the way.
 */
function kubernetesQuickFault(action: QuickAction, service: string, flags: QuickActionFlags): QuickFaultChoice {
  // pod-kill is SIGKILL (grace period 0): --signal's default says the same, any other does not apply.
  const given = Object.entries(flags).filter(([k, v]) => v !== undefined && !(k === 'signal' && /^(SIG)?KILL$/i.test(String(v)))).map(([k]) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  if (given.length > 0) throw new UsageError(`${given.join(', ')} do${given.length === 1 ? 'es' : ''} not apply to ${service}, a kubernetes service`);
  if (action === 'kill') return { fault: 'pod-kill', params: { mode: 'one' } };
  if (action === 'restart') return { fault: 'rollout-restart', params: {} };
  throw new UsageError(`${service} is a kubernetes service: there is no ${action} for pods through the API; write an experiment (cpu-stress, memory-stress through Chaos Mesh: docs/kubernetes.md)`);
}

export function kindLabel(kind: ServiceKind): string {
  return kind === 'container' ? 'container' : kind === 'compose' ? 'Compose' : kind === 'swarm' ? 'Swarm' : kind === 'endpoint' ? 'watch-only' : kind === 'kubernetes' ? 'kubernetes' : 'process';
}

function limits(flags: QuickActionFlags): Record<string, unknown> {
  return { ...(flags.cpus !== undefined ? { cpus: flags.cpus } : {}), ...(flags.memory !== undefined ? { memory: flags.memory } : {}) };
}

/** `--replicas 1` is a count, `--replicas 50%` a share: the fault's own schema checks the range. */
function replicasValue(value: string): number | string {
  return /^\d+$/.test(value.trim()) ? Number(value) : value.trim();
}
