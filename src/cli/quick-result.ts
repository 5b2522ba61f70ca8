/**
 * The result of a quick command, the same shape whatever the service's kind: the service hit,
 * its time to impact and to recover, and what its supervisor did — `faultline up`'s restart
 * policy, the Engine's restart policy, or Swarm's replacement of the task (with the new task's
 * id and how long it took to run) — plus the load per window when there was load. Everything is
 * read from the journal, so `--json` and the console say the same thing.
 */
import type { LoadedSystem } from '../experiment/loader/load-system.js';
import type { FaultRecord, Journal, LoadPhase, ServiceRecovery } from '../journal/types.js';
import { formatDuration } from '../util/duration.js';
import { serviceKind } from './quick-actions.js';

export interface QuickSupervisor {
  /** Who brings the service back: `faultline up`, the Engine's restart policy, Swarm, or nobody. */
  by: 'faultline-up' | 'restart-policy' | 'swarm' | 'none';
  /** The restart policy in force (a container's, or the system file's `restart.policy` for a process under `faultline up`). */
  policy?: string;
  restarted: boolean;
  /** From the fault to the service running again. */
  timeToRestartMs: number | null;
  /** Swarm: the task that replaced the killed one. */
  replacement?: { container: string; taskId: string | null };
}

export interface QuickResult {
  service: string;
  kind: string;
  timeToImpactMs: number | null;
  timeToRecoverMs: number | null;
  outageMs: number | null;
  restarts: number;
  supervisor?: QuickSupervisor;
  load?: Pick<LoadPhase, 'phase' | 'requests' | 'errors' | 'errorRate' | 'availability' | 'latencyMs'>[];
  /** Availability (1 - error rate) during the fault window, with load. */
  availabilityDuringFault?: number | null;
  slo?: { ok: boolean; verdicts: { name: string; ok: boolean; observed: string }[] };
}

/** Restart policies under which the Engine restarts a container whose process crashed. */
const RESTARTING = new Set(['always', 'unless-stopped', 'on-failure']);

export function quickResult(journal: Journal, system: LoadedSystem): QuickResult | undefined {
  const fault = journal.faults[0];
  if (!fault) return undefined;
  const recovery = journal.recovery.find((r) => r.service === fault.service);
  const svc = system.system.services[fault.service];
  const kind = svc === undefined ? 'unknown' : serviceKind(svc);
  const supervisor = supervisorOf(journal, fault, recovery, kind, svc?.process ? (svc.process.restart?.policy ?? 'never') : undefined);
  const chaos = journal.load?.phases.find((p) => p.phase === 'chaos');
  const slos = journal.verdicts.filter((v) => v.kind === 'slo');
  return {
    service: fault.service,
    kind,
    timeToImpactMs: recovery?.timeToImpactMs ?? null,
    timeToRecoverMs: recovery?.timeToRecoverMs ?? null,
    outageMs: recovery?.outageMs ?? null,
    restarts: recovery?.restarts ?? 0,
    ...(supervisor ? { supervisor } : {}),
    ...(journal.load
      ? {
          load: journal.load.phases.map((p) => ({ phase: p.phase, requests: p.requests, errors: p.errors, errorRate: p.errorRate, availability: p.availability, latencyMs: p.latencyMs })),
          availabilityDuringFault: chaos?.availability ?? null,
        }
      : {}),
    ...(slos.length ? { slo: { ok: slos.every((v) => v.ok), verdicts: slos.map((v) => ({ name: v.name, ok: v.ok, observed: v.observed })) } } : {}),
  };
}

function supervisorOf(journal: Journal, fault: FaultRecord, recovery: ServiceRecovery | undefined, kind: string, processPolicy: string | undefined): QuickSupervisor | undefined {
  // Only a kill leaves bringing the service back to someone else (a restart brings it back itself).
  if (fault.kind !== 'kill' && fault.kind !== 'container-kill') return undefined;
  const restart = journal.serviceEvents.find((e) => e.service === fault.service && e.type === 'spawn' && e.restart && e.t >= fault.injectedT);
  const timeToRestartMs = recovery?.timeToRestartMs ?? (restart ? Math.round(restart.t - fault.injectedT) : null);
  const restarted = restart !== undefined;
  if (kind === 'swarm') {
    const killed = new Set((fault.details?.containers as string[] | undefined) ?? []);
    const next = journal.serviceEvents.find((e) => e.service === fault.service && e.type === 'spawn' && e.t >= fault.injectedT && e.container !== undefined && !killed.has(e.container));
    return {
      by: 'swarm',
      restarted: next !== undefined,
      timeToRestartMs: next ? Math.round(next.t - fault.injectedT) : null,
      ...(next?.container ? { replacement: { container: next.container, taskId: swarmTaskId(next.container) } } : {}),
    };
  }
  if (kind === 'process') {
    // A `process:` service runs under `faultline up`; one attached by pid, pidFile or match has no supervisor.
    return processPolicy !== undefined ? { by: 'faultline-up', policy: processPolicy, restarted, timeToRestartMs } : { by: 'none', restarted, timeToRestartMs };
  }
  const policies = [...new Set((fault.details?.restartPolicies as string[] | undefined) ?? [])];
  const policy = policies.join(', ') || undefined;
  // `method: engine` is a manual stop: the engine restarts it under no policy.
  const manual = fault.details?.method === 'engine';
  const by = manual || !policies.some((p) => RESTARTING.has(p)) ? 'none' : 'restart-policy';
  return { by, ...(policy ? { policy } : {}), restarted, timeToRestartMs };
}

/** `web.1.ksk3…`: a Swarm task's container is named service.slot.taskId. */
export function swarmTaskId(container: string): string | null {
  const m = /\.\d+\.([a-z0-9]{25})$/.exec(container);
  return m ? m[1]! : null;
}

/** Lines for the console, after the run's own summary and before its verdict. */
export function quickResultLines(r: QuickResult, fault: FaultRecord | undefined): string[] {
  const lines: string[] = [];
  const s = r.supervisor;
  if (s) lines.push(`  ${r.service}: ${supervisorText(r, s, fault)}`);
  if (r.availabilityDuringFault !== undefined) lines.push(`  availability during the fault: ${r.availabilityDuringFault === null ? 'no requests' : `${(r.availabilityDuringFault * 100).toFixed(2)}%`}`);
  if (r.slo) lines.push(`  SLO ${r.slo.ok ? 'met' : 'FAILED'}: ${r.slo.verdicts.map((v) => `${v.name} ${v.ok ? 'ok' : 'failed'} (${v.observed})`).join(' · ')}`);
  return lines;
}

function supervisorText(r: QuickResult, s: QuickSupervisor, fault: FaultRecord | undefined): string {
  const after = (ms: number | null) => (ms === null ? '' : ` after ${formatDuration(ms)}`);
  const healthy = r.timeToRecoverMs !== null ? `; healthy again ${formatDuration(r.timeToRecoverMs)} after the fault` : '; not healthy again in time';
  switch (s.by) {
    case 'swarm':
      return s.replacement
        ? `Swarm replaced the task with ${s.replacement.taskId ? `task ${s.replacement.taskId}` : s.replacement.container}, running${after(s.timeToRestartMs)}${r.timeToRecoverMs !== null ? `; all replicas running and healthy ${formatDuration(r.timeToRecoverMs)} after the fault` : '; the service was not back at its replica count and healthy in time'}`
        : 'Swarm did not replace the task in time';
    case 'restart-policy':
      return s.restarted ? `restart policy ${s.policy ?? '?'}: restarted${after(s.timeToRestartMs)}${healthy}` : `restart policy ${s.policy ?? '?'}: not restarted${healthy}`;
    case 'faultline-up':
      return s.restarted ? `faultline up (restart: ${s.policy}) restarted it${after(s.timeToRestartMs)}${healthy}` : `faultline up (restart: ${s.policy}) did not restart it${healthy}`;
    case 'none': {
      if (fault?.kind === 'container-kill' && fault.details?.method === 'engine') return `docker kill is a manual stop: the engine restarts it under no policy${s.restarted ? ', yet it was restarted' : ''}${healthy}`;
      if (fault?.kind === 'container-kill') {
        return `restart policy "${s.policy ?? 'no'}": nothing restarts a container that crashed under it${s.restarted ? ', yet it was restarted' : ''}${healthy}. Give it restart: always, unless-stopped or on-failure (Compose: restart: under the service)`;
      }
      return `nothing supervises it (attached by pid, pidFile or match): it stays down until something restarts it${healthy}`;
    }
  }
}
