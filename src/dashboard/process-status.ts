/**
 * What a process service is doing: a `process:` service through the `faultline up` that
 * supervises it (its pid, whether it runs, its spawn and exit events), else through the ledger's
 * record of the process a live run started for it; a `pid:`, `pidFile:` or `match:` service
 * straight from /proc. A process stopped by SIGSTOP (`faultline pause`) shows as paused.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UpClient } from '../drivers/process/up-client.js';
import type { UpServicesResponse } from '../drivers/process/up-state.js';
import { findByCommandLine, isAlive, processState, readStartTicks, selfAndAncestors } from '../util/proc.js';
import type { StartedProcess } from './ledger-status.js';
import type { ServiceState } from './types.js';

export type UpServices = UpServicesResponse['services'];

/** What `faultline up` serving this state directory reports, if one runs. */
export interface UpView {
  pid: number;
  services: UpServices | undefined;
  /** Why its services could not be read (it did not answer). */
  error?: string;
}

export interface ProcessStatus {
  state: ServiceState;
  /** Group leaders to sample for CPU and memory (the service's pid, or every matching pid). */
  pids: number[];
  /** Spawns after the first (faultline up's restarts, requested ones included), or null when nothing counts them. */
  restartsTotal: number | null;
  /** Identifies the running instance (pid and start time): a new one means it restarted. */
  instance: string;
  detail: string;
}

export interface ProcessConfig {
  process?: unknown;
  pid?: number;
  pidFile?: string;
  match?: string;
}

export async function readUp(stateDir: string): Promise<UpView | undefined> {
  const client = await UpClient.connect(stateDir, { timeoutMs: 2000 });
  if (!client) return undefined;
  try {
    return { pid: client.state.pid, services: await client.services() };
  } catch (err) {
    return { pid: client.state.pid, services: undefined, error: (err as Error).message };
  }
}

export function readProcessService(name: string, config: ProcessConfig, baseDir: string, up: UpView | undefined, started: readonly StartedProcess[]): ProcessStatus {
  if (config.process !== undefined) {
    const byRun = started.find((p) => p.service === name);
    if (byRun && !up?.services?.[name]) return attached([byRun.pid], `pid ${byRun.pid}, started by run ${byRun.runId}`);
    return supervised(name, up);
  }
  if (config.pid !== undefined) return attached([config.pid], `pid ${config.pid}`);
  if (config.pidFile !== undefined) {
    const file = resolve(baseDir, config.pidFile);
    let pid: number;
    try {
      pid = Number(readFileSync(file, 'utf8').trim());
    } catch (err) {
      return down('not running', `cannot read pid file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (!Number.isInteger(pid) || pid <= 0) return down('unknown', `pid file ${file} holds no pid`);
    return attached([pid], `pid ${pid} from ${config.pidFile}`);
  }
  if (config.match !== undefined) {
    let pids: number[];
    try {
      pids = findByCommandLine(new RegExp(config.match), selfAndAncestors());
    } catch (err) {
      return down('unknown', `match: ${(err as Error).message}`);
    }
    return pids.length === 0 ? down('not running', `no process matches /${config.match}/`) : attached(pids, `${pids.length} process(es) match /${config.match}/`);
  }
  return down('unknown', 'no process target');
}

function supervised(name: string, up: UpView | undefined): ProcessStatus {
  if (!up) return down('not running', 'faultline up is not running (start it: faultline up)');
  if (!up.services) return down('unknown', `faultline up (pid ${up.pid}) did not answer: ${up.error ?? ''}`);
  const s = up.services[name];
  if (!s) return down('not running', `not supervised by faultline up (pid ${up.pid})`);
  const spawns = s.events.filter((e) => e.type === 'spawn').length;
  const restartsTotal = Math.max(0, spawns - 1);
  if (s.running && s.pid !== null) {
    const state: ServiceState = processState(s.pid) === 'T' ? 'paused' : 'running';
    return { state, pids: [s.pid], restartsTotal, instance: `${s.pid}:${s.startTicks ?? ''}`, detail: `pid ${s.pid}` };
  }
  const last = s.events.at(-1);
  const exit = [...s.events].reverse().find((e) => e.type === 'exit');
  const how = exit ? (exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`) : 'not started';
  if (last?.type === 'restart-scheduled') return { state: 'restarting', pids: [], restartsTotal, instance: '', detail: `${how}; restart ${last.attempt ?? ''} in ${last.delay ?? 0} ms` };
  return { state: 'exited', pids: [], restartsTotal, instance: '', detail: how };
}

function attached(pids: number[], what: string): ProcessStatus {
  const alive = pids.filter((p) => isAlive(p));
  if (alive.length === 0) return down('not running', `${what}: not running`);
  const state: ServiceState = alive.every((p) => processState(p) === 'T') ? 'paused' : 'running';
  return { state, pids: alive, restartsTotal: null, instance: alive.map((p) => `${p}:${readStartTicks(p) ?? ''}`).join(','), detail: what };
}

function down(state: ServiceState, detail: string): ProcessStatus {
  return { state, pids: [], restartsTotal: null, instance: '', detail };
}
