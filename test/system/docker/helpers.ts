/**
 * Docker system-test helpers: why the tests cannot run here (no root, no engine, no local image),
 * containers and networks with unique names that are removed in after(), polling, snapshots of
 * what a fault could leave behind, and reverts in a fresh process.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FaultContext, RevertInfo } from '../../../src/faults/types.js';
import { DockerDriver } from '../../../src/drivers/docker/index.js';
import type { DockerServiceConfig, DockerTarget } from '../../../src/drivers/docker/index.js';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const IMAGE = 'local/httpd:1';
export const BUSYBOX = 'local/busybox:1';

let cachedSkip: string | undefined | null = null;

/** Why these tests cannot run here, or undefined. */
export function skipReason(): string | undefined {
  if (cachedSkip !== null) return cachedSkip;
  cachedSkip = (() => {
    if (process.platform !== 'linux') return 'linux only';
    if (process.getuid?.() !== 0) return 'needs root (CI runs test/system as root; bash scripts/ci/docker.sh sets up the engine)';
    if (!existsSync('/var/run/docker.sock')) return 'needs a Docker engine at /var/run/docker.sock (run: bash scripts/ci/docker.sh)';
    const v = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 10_000 });
    if (v.status !== 0) return `the Docker engine does not answer (docker version: ${(v.stderr || v.error?.message || '').trim().slice(0, 200)}; run: bash scripts/ci/docker.sh)`;
    const img = spawnSync('docker', ['image', 'inspect', IMAGE], { encoding: 'utf8' });
    if (img.status !== 0) return `needs the local image ${IMAGE} (run: bash scripts/ci/docker.sh, which builds it with docker import; nothing is pulled)`;
    return undefined;
  })();
  return cachedSkip;
}

export function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 }).trim();
}

export function dockerTry(...args: string[]): { code: number | null; out: string } {
  const r = spawnSync('docker', args, { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

/** A name unique to this test process. */
export function uniqueName(what: string): string {
  return `flt-${process.pid.toString(36)}${randomBytes(2).toString('hex')}-${what}`;
}

const created: { containers: string[]; networks: string[] } = { containers: [], networks: [] };

/** docker run -d … with a unique name; removed by cleanup(). Returns the name. */
export function runContainer(what: string, args: string[] = [], image = IMAGE, cmd: string[] = []): string {
  const name = uniqueName(what);
  created.containers.push(name);
  docker('run', '-d', '--name', name, '--label', 'faultline-test=1', ...args, image, ...cmd);
  return name;
}

export function createNetwork(what: string, args: string[] = []): string {
  const name = uniqueName(what);
  created.networks.push(name);
  docker('network', 'create', '--label', 'faultline-test=1', ...args, name);
  return name;
}

/** Remove every container and network this process made (unpausing first: a paused container cannot always be removed). */
export function cleanup(): void {
  for (const c of created.containers.splice(0)) {
    spawnSync('docker', ['unpause', c], { stdio: 'ignore' });
    spawnSync('docker', ['rm', '-f', '-v', c], { stdio: 'ignore' });
  }
  for (const n of created.networks.splice(0)) spawnSync('docker', ['network', 'rm', n], { stdio: 'ignore' });
}

export interface State {
  status: string;
  running: boolean;
  paused: boolean;
  pid: number;
  restartCount: number;
  health: string;
  oom: boolean;
  exitCode: number;
  startedAt: string;
}

export function state(container: string): State {
  const raw = JSON.parse(docker('inspect', '--format', '{{json .State}}', container)) as Record<string, unknown>;
  const restartCount = Number(docker('inspect', '--format', '{{.RestartCount}}', container));
  const health = (raw.Health as { Status?: string } | undefined)?.Status ?? 'none';
  return {
    status: String(raw.Status),
    running: raw.Running === true,
    paused: raw.Paused === true,
    pid: Number(raw.Pid),
    restartCount,
    health,
    oom: raw.OOMKilled === true,
    exitCode: Number(raw.ExitCode),
    startedAt: String(raw.StartedAt),
  };
}

/** The parts of a container's configuration a fault may change and its revert must restore. */
export function snapshot(container: string): string {
  return docker(
    'inspect',
    '--format',
    '{{.State.Status}} paused={{.State.Paused}} cpu={{.HostConfig.NanoCpus}}/{{.HostConfig.CpuQuota}}/{{.HostConfig.CpuPeriod}} mem={{.HostConfig.Memory}}/{{.HostConfig.MemorySwap}} nets={{range $k, $v := .NetworkSettings.Networks}}{{$k}}:{{$v.IPAddress}}:{{json $v.Aliases}};{{end}}',
    container,
  );
}

/** snapshot() with addresses left out and aliases sorted: what a reconnect on a network without a configured subnet restores. */
export function snapshotNoAddress(container: string): string {
  return snapshot(container)
    .replace(/:\d+\.\d+\.\d+\.\d+:/g, ':IP:')
    .replace(/\[[^\]]*\]/g, (list) => JSON.stringify((JSON.parse(list) as string[]).sort()));
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function testContext(): FaultContext & { logs: string[] } {
  const logs: string[] = [];
  return { signal: new AbortController().signal, runId: 'test', log: (m) => logs.push(m), logs };
}

/** The target the docker driver resolves for a service with this config. */
export async function resolveTarget(config: DockerServiceConfig, baseDir = repoRoot, service = 'svc'): Promise<DockerTarget> {
  const [target] = await new DockerDriver().resolve({ service, config: config as Record<string, unknown> }, { services: { [service]: config as Record<string, unknown> } }, { baseDir, stateDir: baseDir, log: () => undefined });
  return target!;
}

/** Revert from plain JSON in a fresh process, as the reaper or `faultline recover` would. */
export function revertInFreshProcess(kind: string, info: RevertInfo): { code: number | null; stdout: string; stderr: string } {
  const res = spawnSync(process.execPath, ['--import', 'tsx', join(fixtures, 'revert.ts'), kind, JSON.stringify(info)], { cwd: repoRoot, encoding: 'utf8' });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** HTTP GET from this host to a container's address (busybox httpd on 8080); the status, or the error code. */
export async function httpGet(ip: string, port = 8080, timeoutMs = 1500): Promise<number | string> {
  try {
    const res = await fetch(`http://${ip}:${port}/`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.text();
    return res.status;
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return e.cause?.code ?? e.name;
  }
}

export function ipOf(container: string, network?: string): string {
  return network ? docker('inspect', '--format', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, container) : docker('inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', container).split(' ')[0]!;
}

/**
 * HTTP GET from inside a container, by name or address: the body, or undefined. (busybox nc: the
 * static busybox's wget crashes resolving names and writing to stdout.)
 */
export function wgetIn(container: string, url: string, timeoutSec = 2): string | undefined {
  const u = new URL(url);
  const r = dockerTry('exec', container, 'sh', '-c', `printf 'GET ${u.pathname} HTTP/1.0\\r\\n\\r\\n' | nc -w ${timeoutSec} ${u.hostname} ${u.port || 80}`);
  if (r.code !== 0 || !/^HTTP\/1\.[01] 200/.test(r.out)) return undefined;
  return r.out.split(/\r?\n\r?\n/).slice(1).join('\n\n').trim();
}

/** Run a command in a container (busybox). */
export function execIn(container: string, ...cmd: string[]): { code: number | null; out: string } {
  return dockerTry('exec', container, ...cmd);
}
