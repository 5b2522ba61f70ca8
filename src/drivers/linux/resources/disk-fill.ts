/**
 * `disk-fill`: fill the filesystem under a path with one file of faultline's own, never leaving
 * less than a floor of free space. Revert deletes that file.
 */
import { open, unlink } from 'node:fs/promises';
import { statfsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { TargetError } from '../../../errors/index.js';
import { run, showCommand } from '../exec.js';
import { which } from '../host.js';
import { checkRequirements, type Requirement } from '../preflight.js';
import { parseInfo, PlanMemo, shortId } from '../planned.js';
import type { LinuxFaultKind } from '../net/filter-fault.js';
import { formatSize, sizeParam } from '../units.js';

const params = z.strictObject({
  path: z.string().min(1).describe('A directory on the filesystem to fill (absolute, or relative to where faultline runs)'),
  size: sizeParam.optional().describe('How much to write (default: all but keepFree)'),
  keepFree: sizeParam.default(256 * 1024 * 1024).describe('Free space never to go below (default 256m)'),
});
export type DiskFillParams = z.output<typeof params>;

const infoSchema = z.object({ file: z.string().regex(/\/\.faultline-fill-[0-9a-f]{8}$/), bytes: z.number().int().nonnegative() });
type Info = z.output<typeof infoSchema>;

/** Bytes available to unprivileged users (what df shows as Avail). */
export function freeBytes(path: string): number {
  const s = statfsSync(path);
  return s.bavail * s.bsize;
}

/** How much to write so that at least `keepFree` stays free; 0 when nothing may be written. */
export function fillAmount(free: number, keepFree: number, size?: number): number {
  return Math.max(0, Math.min(size ?? Infinity, free - keepFree));
}

function requirements(p: DiskFillParams): Requirement[] {
  return [
    {
      kind: 'check',
      problem: () => {
        const dir = resolve(p.path);
        try {
          if (!statSync(dir).isDirectory()) return `path ${dir} is not a directory`;
        } catch {
          return `path ${dir} does not exist`;
        }
        return undefined;
      },
    },
  ];
}

function plan(target: { label: string; service: string }, p: DiskFillParams): Info {
  checkRequirements('disk-fill', requirements(p));
  const dir = isAbsolute(p.path) ? p.path : resolve(p.path);
  const free = freeBytes(dir);
  const bytes = fillAmount(free, p.keepFree, p.size);
  if (bytes < 1024 * 1024) {
    throw new TargetError(`disk-fill on ${target.label}: ${dir} has ${formatSize(free)} free and the floor is ${formatSize(p.keepFree)}, so there is nothing to fill`, target.service);
  }
  return { file: join(dir, `.faultline-fill-${shortId()}`), bytes };
}

const memo = new PlanMemo<Info>();

export const diskFillFault: LinuxFaultKind<DiskFillParams> = {
  name: 'disk-fill',
  driver: 'linux',
  summary: 'Fill the filesystem under a path with one file, keeping a floor of free space (keepFree)',
  timing: 'held',
  revertSummary: 'delete the fill file (.faultline-fill-<id>)',
  params,
  requirements,
  plan: (target, p) => memo.remember(target, plan(target, p)),
  async inject(target, p, ctx) {
    const info = memo.recall(target, () => plan(target, p));
    const before = freeBytes(join(info.file, '..'));
    // Free space may have shrunk since plan(): never go below the floor.
    const bytes = Math.min(info.bytes, fillAmount(before, p.keepFree));
    const fallocate = which('fallocate');
    const res = fallocate ? await run(fallocate, ['-l', String(bytes), info.file], { signal: ctx.signal, timeoutMs: 120_000 }) : undefined;
    if (!res || res.code !== 0) {
      if (res) ctx.log(`disk-fill: ${showCommand('fallocate', ['-l', String(bytes), info.file])} failed (${res.stderr.trim()}); writing the file instead`);
      await writeZeros(info.file, bytes, ctx.signal);
    }
    const after = freeBytes(join(info.file, '..'));
    ctx.log(`disk-fill on ${target.label}: wrote ${formatSize(bytes)} to ${info.file}; ${formatSize(after)} left free (floor ${formatSize(p.keepFree)})`);
    return { details: { file: info.file, bytes, freeBefore: before, freeAfter: after } };
  },
  async revert(raw) {
    const info = parseInfo(infoSchema, raw, 'disk-fill');
    await unlink(info.file).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  },
};

async function writeZeros(file: string, bytes: number, signal: AbortSignal): Promise<void> {
  const chunk = Buffer.alloc(4 * 1024 * 1024);
  const handle = await open(file, 'wx');
  try {
    for (let written = 0; written < bytes; ) {
      signal.throwIfAborted();
      const n = Math.min(chunk.length, bytes - written);
      await handle.write(chunk, 0, n);
      written += n;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}
