/**
 * The connection to a Docker Engine (dockerode) and the few helpers every docker fault shares.
 * An engine is named by a plain string — `unix:///var/run/docker.sock`, `tcp://host:2375`, or
 * null for "DOCKER_HOST, else the local socket" — so it can go into the ledger and be reached
 * again from a fresh process (`faultline recover`, the reaper).
 */
import { createRequire } from 'node:module';
import type Docker from 'dockerode';
import { TargetError } from '../../errors/index.js';

/**
 * dockerode, loaded on first use: it pulls in ssh2, gRPC and protobufjs, most of the CLI's
 * start-up time (about 0.3 s of CPU), and most commands never talk to a Docker engine.
 */
let dockerClass: typeof Docker | undefined;
export function newDocker(options: Docker.DockerOptions): Docker {
  dockerClass ??= createRequire(import.meta.url)('dockerode') as typeof Docker;
  return new dockerClass(options);
}

/** How long one Engine API call may take before it counts as failed. */
const CALL_TIMEOUT_MS = 20_000;

const clients = new Map<string, Docker>();

/** The engine's address as recorded: the explicit one, else DOCKER_HOST, else null (the local socket). */
export function engineAddress(explicit: string | undefined): string | null {
  const value = explicit ?? process.env.DOCKER_HOST;
  return value && value.trim() !== '' ? value.trim() : null;
}

/** Options for dockerode; timeout null: calls never time out (the event stream). */
export function dockerOptions(engine: string | null, timeout: number | null = CALL_TIMEOUT_MS): Docker.DockerOptions {
  const base: Docker.DockerOptions = timeout === null ? {} : { timeout };
  if (engine === null) return { ...base, socketPath: '/var/run/docker.sock' };
  if (engine.startsWith('unix://')) return { ...base, socketPath: engine.slice('unix://'.length) };
  if (engine.startsWith('/')) return { ...base, socketPath: engine };
  const url = new URL(engine.replace(/^tcp:\/\//, 'http://'));
  return { ...base, host: url.hostname, port: url.port ? Number(url.port) : 2375, protocol: url.protocol === 'https:' ? 'https' : 'http' };
}

/** One client per engine (calls time out after 20 s). */
export function engineClient(engine: string | null): Docker {
  const key = engine ?? '';
  let client = clients.get(key);
  if (!client) clients.set(key, (client = newDocker(dockerOptions(engine))));
  return client;
}

/** A client without a call timeout, for the event stream. */
export function streamingClient(engine: string | null): Docker {
  return newDocker(dockerOptions(engine, null));
}

/** Whether the engine runs on this machine: then a container's pid is a pid here. */
export function isLocalEngine(engine: string | null): boolean {
  if (engine === null || engine.startsWith('unix://') || engine.startsWith('/')) return true;
  try {
    const host = new URL(engine.replace(/^tcp:\/\//, 'http://')).hostname;
    return host === 'localhost' || host === '127.0.0.1' || host === '::1' || host === '[::1]';
  } catch {
    return false;
  }
}

export function describeEngine(engine: string | null): string {
  return engine ?? 'unix:///var/run/docker.sock';
}

interface EngineError {
  statusCode?: number;
  json?: { message?: string } | null;
  message?: string;
  code?: string;
}

export function statusOf(err: unknown): number | undefined {
  return (err as EngineError | undefined)?.statusCode;
}

export function isNotFound(err: unknown): boolean {
  return statusOf(err) === 404;
}

/** The engine's own message (`No such container: x`), or the error's. */
export function engineMessage(err: unknown): string {
  const e = err as EngineError | undefined;
  const fromEngine = e?.json && typeof e.json === 'object' ? e.json.message : undefined;
  return (fromEngine ?? e?.message ?? String(err)).trim();
}

/** A connection problem (no daemon, no permission on the socket) as a clear message. */
export function unreachable(engine: string | null, err: unknown, service?: string): TargetError {
  const e = err as EngineError;
  const hint =
    e?.code === 'ENOENT'
      ? ' (no socket: is dockerd running?)'
      : e?.code === 'EACCES'
        ? ' (permission denied on the socket: run as root or as a member of the docker group)'
        : e?.code === 'ECONNREFUSED'
          ? ' (connection refused: is dockerd listening there?)'
          : '';
  return new TargetError(`cannot reach the Docker engine at ${describeEngine(engine)}: ${engineMessage(err)}${hint}`, service, { cause: err });
}

/** Calls the engine; a connection failure becomes a TargetError that says what to do. */
export async function call<T>(engine: string | null, what: () => Promise<T>, service?: string): Promise<T> {
  try {
    return await what();
  } catch (err) {
    if (statusOf(err) === undefined) throw unreachable(engine, err, service);
    throw err;
  }
}

/** A compose project name as docker-compose makes it from a directory name: lower case, [a-z0-9_-] only. */
export function composeProjectName(dirName: string): string {
  return dirName.toLowerCase().replace(/[^-_a-z0-9]/g, '');
}

/** A container's name without the leading slash the Engine API puts on it. */
export function bareName(name: string | undefined): string {
  return (name ?? '').replace(/^\//, '');
}

export function shortId(id: string): string {
  return id.slice(0, 12);
}
