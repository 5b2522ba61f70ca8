/**
 * One cross-process lock per state directory, `<stateDir>/lock`. Whatever reads the ledger to act
 * on it (recover, the reaper, stop) holds it from the read to the last outcome written, and every
 * ledger append and compaction holds it too: two processes never revert the same fault, and a
 * compaction never drops a line another process is writing.
 *
 * The file is created with O_EXCL and names its holder: pid, the process's start time (so a reused
 * pid is not mistaken for it), a nonce and what it is doing. A lock whose holder is gone is stale
 * and is taken over: renamed aside, checked to be the very lock that was judged stale, then
 * removed. A live holder is waited for, however long it has held the lock: a frozen faultline is
 * still the holder, and time alone never breaks a lock. (The one unguarded window: a third
 * process renaming a lock in the microseconds between a takeover's rename and its check.)
 *
 * Within one process, callers queue on a promise chain, and code already inside the lock (tracked
 * with AsyncLocalStorage) re-enters at once, so a recover that appends to the ledger does not wait
 * for itself.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { link, open, rename, rm, stat } from 'node:fs/promises';
import { readOptional } from '../util/read-optional.js';
import { join } from 'node:path';
import { FaultlineError } from '../errors/index.js';
import { ensureStateDir } from './state-dir.js';
import { isPidAlive, processStartTime } from './pid.js';

export interface LockHolder {
  pid: number;
  startTime?: string;
  nonce: string;
  purpose: string;
  /** ISO time the lock was taken. */
  since: string;
}

export interface LockOptions {
  /** Give up waiting for a live holder after this long (default 60 s); the error names the holder. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Told once when the lock is busy, with its holder. */
  onWait?(holder: LockHolder | undefined): void;
}

const POLL_MS = 25;
/** A lock file still empty or unparseable this long after it was created belongs to a process that died mid-write. */
const UNREADABLE_GRACE_MS = 2_000;
const DEFAULT_TIMEOUT_MS = 60_000;

export function lockPath(stateDir: string): string {
  return join(stateDir, 'lock');
}

const held = new AsyncLocalStorage<ReadonlySet<string>>();
const queues = new Map<string, Promise<void>>();

/** Runs `fn` holding the state directory's lock. */
export async function withStateLock<T>(stateDir: string, purpose: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const inside = held.getStore();
  if (inside?.has(stateDir)) return fn();

  // In this process, one holder at a time: wait for the previous one, then take the file lock.
  const previous = queues.get(stateDir) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  queues.set(stateDir, tail);
  try {
    await previous;
    const nonce = await acquireFileLock(stateDir, purpose, options);
    try {
      return await held.run(new Set([...(inside ?? []), stateDir]), fn);
    } finally {
      await releaseFileLock(stateDir, nonce);
    }
  } finally {
    release();
    if (queues.get(stateDir) === tail) queues.delete(stateDir);
  }
}

/** Who holds the lock now, if anyone (for messages and tests). */
export async function readLockHolder(stateDir: string): Promise<LockHolder | undefined> {
  return parseHolder(await readOptional(lockPath(stateDir)));
}

async function acquireFileLock(stateDir: string, purpose: string, options: LockOptions): Promise<string> {
  await ensureStateDir(stateDir);
  const path = lockPath(stateDir);
  const me: LockHolder = { pid: process.pid, startTime: processStartTime(process.pid), nonce: randomBytes(8).toString('hex'), purpose, since: '' };
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let told = false;
  for (;;) {
    if (options.signal?.aborted) throw lockError(stateDir, 'the wait was cancelled', undefined);
    me.since = new Date().toISOString();
    if (await tryCreate(path, me)) return me.nonce;

    const text = await readOptional(path);
    if (text === undefined) continue; // released between our create and our read: try again now
    const holder = parseHolder(text);
    if (await isStale(path, holder)) {
      await takeOver(path, text);
      continue;
    }
    if (!told) {
      told = true;
      options.onWait?.(holder);
    }
    if (Date.now() >= deadline) {
      throw lockError(stateDir, `still held after ${Math.round((options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s`, holder);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function tryCreate(path: string, me: LockHolder): Promise<boolean> {
  let file;
  try {
    file = await open(path, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await file.writeFile(`${JSON.stringify(me)}\n`);
  } finally {
    await file.close();
  }
  return true;
}

async function isStale(path: string, holder: LockHolder | undefined): Promise<boolean> {
  if (holder) return !isPidAlive(holder.pid, holder.startTime);
  // Empty or torn: its creator is writing it right now, or died doing so.
  const info = await stat(path).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > UNREADABLE_GRACE_MS;
}

/** Removes a stale lock — and only that one, should another process have replaced it meanwhile. */
async function takeOver(path: string, staleText: string): Promise<void> {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await rename(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else removed it first
    throw err;
  }
  const moved = await readOptional(aside);
  if (moved !== staleText) {
    // Between our read and our rename another process took the lock over and made a fresh one:
    // put it back (link fails if yet another lock appeared; that holder then keeps it).
    await link(aside, path).catch(() => undefined);
  }
  await rm(aside, { force: true });
}

async function releaseFileLock(stateDir: string, nonce: string): Promise<void> {
  const path = lockPath(stateDir);
  const holder = parseHolder(await readOptional(path));
  // Remove only our own lock: if it is not ours, someone judged us dead and took it over.
  if (holder?.nonce === nonce) await rm(path, { force: true });
}

function parseHolder(text: string | undefined): LockHolder | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<LockHolder> | null;
    if (!value || !Number.isInteger(value.pid) || typeof value.nonce !== 'string') return undefined;
    return value as LockHolder;
  } catch {
    return undefined;
  }
}

export function describeHolder(holder: LockHolder | undefined): string {
  return holder ? `pid ${holder.pid} (${holder.purpose}, since ${holder.since})` : 'a process that is still writing the lock file';
}

function lockError(stateDir: string, why: string, holder: LockHolder | undefined): FaultlineError {
  return new FaultlineError('E_STATE_LOCKED', `the state directory ${stateDir} is locked by ${describeHolder(holder)}: ${why}`);
}
