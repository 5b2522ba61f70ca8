/**
 * io-delay and io-fault as IOChaos: Chaos Mesh mounts a FUSE filesystem over a volume of the pod
 * and delays or fails the calls on it. `volumePath` — the mount point of a volume in the
 * container — is required: IOChaos can only act on a volume, not on the container's root
 * filesystem.
 */
import { z } from 'zod';
import { duration } from '../../../util/duration-schema.js';
import { percentParam } from '../../linux/units.js';
import { podMode } from '../pod-mode.js';
import { goDuration } from './go-duration.js';
import { commonSpec, wholePercent } from './params.js';
import type { ChaosMeshKind } from './types.js';

/** The FUSE calls IOChaos can act on (its IoMethod values). */
export const IO_METHODS = [
  'lookup', 'forget', 'getattr', 'setattr', 'readlink', 'mknod', 'mkdir', 'unlink', 'rmdir', 'symlink', 'rename', 'link', 'open', 'read', 'write', 'flush',
  'release', 'fsync', 'opendir', 'readdir', 'releasedir', 'fsyncdir', 'statfs', 'setxattr', 'getxattr', 'listxattr', 'removexattr', 'access', 'create', 'getlk', 'setlk', 'bmap',
] as const;

/** Linux errno values by name, for the errors a disk gives. */
export const ERRNO: Record<string, number> = {
  EPERM: 1, ENOENT: 2, EINTR: 4, EIO: 5, EBADF: 9, EAGAIN: 11, ENOMEM: 12, EACCES: 13, EBUSY: 16, EEXIST: 17, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24, EFBIG: 27, ENOSPC: 28, EROFS: 30, ENAMETOOLONG: 36, EDQUOT: 122,
};

const scope = {
  mode: podMode,
  volumePath: z.string().regex(/^\//, 'expected an absolute path: the mount point of a volume in the container, e.g. /var/lib/data').describe('Required: the mount point of a volume in the container (IOChaos acts on volumes only)'),
  path: z.string().min(1).optional().describe('Only files matching this glob, e.g. /var/lib/data/**/*.db (default: every file of the volume)'),
  percent: percentParam.default(100).refine(wholePercent, { message: 'Chaos Mesh takes a whole percentage (1 to 100)' }).describe('Share of the calls affected'),
  methods: z.array(z.enum(IO_METHODS)).min(1).optional().describe('Only these calls, e.g. [read, write, fsync] (default: all)'),
};

function scopeSpec(p: { volumePath: string; path?: string | undefined; percent: number; methods?: string[] | undefined }): Record<string, unknown> {
  return { volumePath: p.volumePath, ...(p.path !== undefined ? { path: p.path } : {}), percent: p.percent, ...(p.methods ? { methods: [...p.methods] } : {}) };
}

const delayParams = z.strictObject({ ...scope, delay: duration.refine((d) => d > 0, { message: 'expected a delay above 0' }).describe('Added to every affected call, e.g. 100ms') });
export type ChaosMeshIoDelayParams = z.output<typeof delayParams>;

export const ioDelayChaos: ChaosMeshKind<ChaosMeshIoDelayParams> = {
  name: 'io-delay',
  crdKind: 'IOChaos',
  plural: 'iochaos',
  summary: "Delay file system calls on a volume of the pods (Chaos Mesh IOChaos latency)",
  timing: 'held',
  params: delayParams,
  spec: (p, selection, o) => ({ ...commonSpec(p.mode, selection, o.durationMs, { containers: true }), action: 'latency', ...scopeSpec(p), delay: goDuration(p.delay) }),
};

const errno = z
  .union([z.number().int().min(1).max(4095), z.enum(Object.keys(ERRNO) as [string, ...string[]])])
  .default('EIO')
  .transform((e) => (typeof e === 'number' ? e : ERRNO[e]!))
  .describe(`The error the calls return: a number or one of ${Object.keys(ERRNO).join(', ')} (default EIO)`);

const faultParams = z.strictObject({ ...scope, errno });
export type ChaosMeshIoFaultParams = z.output<typeof faultParams>;

export const ioFaultChaos: ChaosMeshKind<ChaosMeshIoFaultParams> = {
  name: 'io-fault',
  crdKind: 'IOChaos',
  plural: 'iochaos',
  summary: 'Fail file system calls on a volume of the pods with an errno (Chaos Mesh IOChaos fault)',
  timing: 'held',
  params: faultParams,
  spec: (p, selection, o) => ({ ...commonSpec(p.mode, selection, o.durationMs, { containers: true }), action: 'fault', ...scopeSpec(p), errno: p.errno }),
};
