/**
 * `<stateDir>/up.json`: how other faultline processes find a running `faultline up` daemon.
 * The token keeps other local users and web pages (which can POST to 127.0.0.1) from driving it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { isAlive, sameProcess } from '../../util/proc.js';
import type { SupervisorEvent } from './supervisor.js';

const upStateSchema = z.looseObject({
  pid: z.number().int().positive(),
  /** Absent in files written by hand; guards against a recycled pid when present. */
  startTicks: z.number().int().nonnegative().optional(),
  port: z.number().int().min(1).max(65535),
  token: z.string().min(1),
  startedAt: z.string(),
  services: z.array(z.string()),
  /** The system file this daemon serves (absolute path, SHA-256 of its bytes): a run adopts it only for that file. */
  system: z.object({ file: z.string(), sha256: z.string() }).optional(),
});
export type UpState = z.output<typeof upStateSchema>;

/** GET /services. */
export interface UpServicesResponse {
  services: Record<string, { pid: number | null; startTicks: number | null; running: boolean; restarts: number; events: SupervisorEvent[] }>;
}

export function upStatePath(stateDir: string): string {
  return join(stateDir, 'up.json');
}

export function newUpToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Written to a temporary file and renamed, so a reader never sees half a file. Owner-only: it holds the token. */
export async function writeUpState(stateDir: string, state: UpState): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  const tmp = `${upStatePath(stateDir)}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, upStatePath(stateDir));
}

/** The daemon's state if one is running; undefined when there is no file or its process is gone. */
export async function readUpState(stateDir: string): Promise<UpState | undefined> {
  let text: string;
  try {
    text = await readFile(upStatePath(stateDir), 'utf8');
  } catch {
    return undefined;
  }
  let parsed;
  try {
    parsed = upStateSchema.safeParse(JSON.parse(text));
  } catch {
    return undefined;
  }
  if (!parsed.success) return undefined;
  const state = parsed.data;
  if (!isAlive(state.pid)) return undefined;
  if (state.startTicks !== undefined && !sameProcess(state.pid, state.startTicks)) return undefined;
  return state;
}

/** Removes the file if it still describes `pid` (a newer daemon may have replaced it). */
export async function removeUpState(stateDir: string, pid: number): Promise<void> {
  try {
    const current = JSON.parse(await readFile(upStatePath(stateDir), 'utf8')) as { pid?: unknown };
    if (current.pid !== pid) return;
  } catch {
    return;
  }
  await rm(upStatePath(stateDir), { force: true });
}
