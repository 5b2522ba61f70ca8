/** Reading and writing cgroup files, moving processes between cgroups, and creating and removing our own. */
import { mkdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HostCommandError } from '../errors.js';

export function readCgroupFile(dir: string, file: string): string {
  return readFileSync(join(dir, file), 'utf8').trim();
}

export function writeCgroupFile(dir: string, file: string, value: string): void {
  try {
    writeFileSync(join(dir, file), value);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new HostCommandError(`echo ${value} > ${join(dir, file)}`, null, `${e.code ?? ''} ${e.message}${hint(file, e.code)}`);
  }
}

function hint(file: string, code: string | undefined): string {
  if (code === 'EBUSY' && file === 'memory.limit_in_bytes') return ' (cgroup v1 will not set a memory limit below what the cgroup already uses when it cannot reclaim it)';
  if (code === 'EINVAL' && file.startsWith('cpu.')) return ' (a CPU quota above what the parent cgroup allows is refused)';
  return '';
}

export function cgroupProcs(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Moves a process (all its threads) into the cgroup. False when it no longer exists. */
export function moveProcess(dir: string, pid: number): boolean {
  try {
    writeFileSync(join(dir, 'cgroup.procs'), String(pid));
    return true;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ESRCH') return false;
    throw new HostCommandError(`echo ${pid} > ${join(dir, 'cgroup.procs')}`, null, `${e.code ?? ''} ${e.message}`);
  }
}

export function cgroupInode(dir: string): number | undefined {
  try {
    return statSync(dir).ino;
  } catch {
    return undefined;
  }
}

export function makeCgroup(dir: string): void {
  mkdirSync(dir);
}

/** Removes an (empty) cgroup, waiting a little for exiting processes to leave it. */
export async function removeCgroup(dir: string, waitMs = 2000): Promise<void> {
  const deadline = performance.now() + waitMs;
  for (;;) {
    try {
      rmdirSync(dir);
      return;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') return;
      if (e.code !== 'EBUSY' || performance.now() > deadline) throw new HostCommandError(`rmdir ${dir}`, null, `${e.code ?? ''} ${e.message}`);
      await sleep(25);
    }
  }
}

/** The kernel's count of OOM kills in a memory cgroup (v1 memory.oom_control, v2 memory.events). */
export function oomKills(dir: string, version: 1 | 2): number | undefined {
  try {
    const text = readCgroupFile(dir, version === 1 ? 'memory.oom_control' : 'memory.events');
    const m = /^oom_kill (\d+)$/m.exec(text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
