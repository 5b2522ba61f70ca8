/** Turns a service's process target (supervised, pid, pidFile or match) into concrete processes. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TargetError } from '../../errors/index.js';
import { findByCommandLine, isAlive, readStartTicks, selfAndAncestors } from '../../util/proc.js';
import type { AttachSpec, ProcessController, ProcessIdentity, ProcessSpec, ProcessTarget } from './types.js';

/** Whoever knows the current pid of a supervised service: a ProcessSupervisor here, or an UpClient. */
export interface ServiceLookup {
  current(service: string): ProcessIdentity | undefined | Promise<ProcessIdentity | undefined>;
}

export interface ResolveOptions {
  /** Directory pidFile is relative to (the system file's). */
  baseDir: string;
  supervisor?: ServiceLookup;
  /** Set on supervised targets so restarts go through their owner. */
  controller?: ProcessController;
}

export async function resolveProcessTargets(
  service: string,
  spec: { process?: ProcessSpec } & AttachSpec,
  options: ResolveOptions,
): Promise<ProcessTarget[]> {
  if (spec.process !== undefined) {
    const current = await options.supervisor?.current(service);
    if (!current) throw new TargetError(`service ${service} is not running (start it with faultline up, or run an experiment)`, service);
    return [{ ...target(service, current), ...(options.controller && { controller: options.controller }) }];
  }
  if (spec.pid !== undefined) return [attach(service, spec.pid, 'the pid in the system file')];
  if (spec.pidFile !== undefined) {
    const file = resolve(options.baseDir, spec.pidFile);
    return [attach(service, readPidFile(service, file), `pid file ${file}`)];
  }
  if (spec.match !== undefined) return matchTargets(service, spec.match);
  throw new TargetError(`service ${service} has no process to act on (it needs process, pid, pidFile or match for process faults)`, service);
}

function target(service: string, id: ProcessIdentity): ProcessTarget {
  return { service, label: `${service} (pid ${id.pid})`, pid: id.pid, startTicks: id.startTicks };
}

function attach(service: string, pid: number, source: string): ProcessTarget {
  const startTicks = readStartTicks(pid);
  if (!isAlive(pid) || startTicks === undefined) throw new TargetError(`service ${service}: pid ${pid} (from ${source}) is not running`, service);
  return target(service, { pid, startTicks });
}

function readPidFile(service: string, file: string): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new TargetError(`service ${service}: cannot read pid file ${file}: ${(err as Error).message}`, service, { cause: err });
  }
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new TargetError(`service ${service}: pid file ${file} does not hold a pid (got ${JSON.stringify(text.trim().slice(0, 40))})`, service);
  return pid;
}

function matchTargets(service: string, pattern: string): ProcessTarget[] {
  // Never ourselves or our ancestors: `faultline kill --match api` must not kill the shell that ran it.
  const pids = findByCommandLine(new RegExp(pattern), selfAndAncestors());
  const targets = pids.flatMap((pid) => {
    const startTicks = readStartTicks(pid);
    return startTicks === undefined ? [] : [target(service, { pid, startTicks })];
  });
  if (targets.length === 0) throw new TargetError(`service ${service}: no running process matches /${pattern}/`, service);
  return targets;
}
