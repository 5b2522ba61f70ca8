/**
 * Privileged test helpers: skip reasons, network namespaces joined by a veth pair (unique names,
 * deleted in after()), processes inside them, and snapshots of what the host's packet filters,
 * qdiscs and cgroups look like, to show that a reverted fault left nothing behind.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LinuxDriver } from '../../../src/drivers/linux/driver.js';
import { which } from '../../../src/drivers/linux/host.js';
import type { LinuxTarget } from '../../../src/drivers/linux/target.js';
import type { FaultContext, RevertInfo } from '../../../src/faults/types.js';
import { readStartTicks } from '../../../src/util/proc.js';

export const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const INSTALL: Record<string, string> = { nft: 'nftables', iptables: 'iptables', 'iptables-restore': 'iptables', tc: 'iproute2', ip: 'iproute2', nsenter: 'util-linux', prlimit: 'util-linux', 'stress-ng': 'stress-ng' };

/** Why these tests cannot run here, or undefined. */
export function skipUnless(...tools: string[]): string | undefined {
  if (process.platform !== 'linux') return 'linux only';
  if (process.getuid?.() !== 0) return 'needs root (CI runs test/system as root: npm run test:system)';
  const missing = tools.filter((t) => !which(t));
  if (missing.length) return `needs ${missing.join(', ')} (apt-get install ${[...new Set(missing.map((t) => INSTALL[t] ?? t))].join(' ')})`;
  return undefined;
}

export function sh(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input: input ?? '', stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Output of a command run inside a named namespace (or the host's, for undefined). */
export function inNs(ns: string | undefined, cmd: string, args: string[]): string {
  return ns ? sh('ip', ['netns', 'exec', ns, cmd, ...args]) : sh(cmd, args);
}

/** Everything a network fault could leave behind in a namespace: nft ruleset, iptables rules, qdiscs. */
export function netSnapshot(ns?: string): string {
  const parts = [inNs(ns, 'nft', ['list', 'ruleset']), inNs(ns, 'tc', ['qdisc', 'show'])];
  if (which('iptables-save')) parts.push(inNs(ns, 'iptables-save', []).replace(/^#.*$/gm, '').replace(/\[\d+:\d+\]/g, ''));
  return parts.join('\n---\n');
}

/**
 * iptables-nft creates its standard tables and base chains on first use, as any iptables command
 * would; they are iptables' own, empty and accepting. Create them up front so a snapshot taken
 * before an iptables fault compares with one taken after it.
 */
export function primeIptables(ns: string): void {
  for (const bin of ['iptables-restore', 'ip6tables-restore']) {
    if (which(bin)) inNsInput(ns, bin, ['--noflush'], '*filter\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n');
  }
}

function inNsInput(ns: string, cmd: string, args: string[], input: string): string {
  return sh('ip', ['netns', 'exec', ns, cmd, ...args], input);
}

const HOST_LOCK = '/tmp/faultline-linux-host-net.lock';

/**
 * Tests that change this host's own network namespace (and compare its whole ruleset before and
 * after) hold this lock, so two test files run side by side do not see each other's faults.
 */
export async function lockHostNetwork(timeoutMs = 180_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(HOST_LOCK);
      writeFileSync(join(HOST_LOCK, 'pid'), String(process.pid));
      return () => rmSync(HOST_LOCK, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder = NaN;
      try {
        holder = Number(readFileSync(join(HOST_LOCK, 'pid'), 'utf8'));
      } catch {
        /* being written or removed */
      }
      if (Number.isInteger(holder) && !existsSync(`/proc/${holder}`)) rmSync(HOST_LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${HOST_LOCK} held by pid ${holder} for too long`, { cause: err });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export interface NetnsPair {
  a: string;
  b: string;
  addrA: string;
  addrB: string;
  ifA: string;
  ifB: string;
  destroy(): void;
}

let made = 0;

/** Two fresh network namespaces joined by a veth pair, 198.18.x.1 (a) and .2 (b), both up. */
export function makeNetnsPair(): NetnsPair {
  const tag = `${process.pid.toString(36)}${(made++).toString(36)}${randomBytes(2).toString('hex')}`;
  const a = `flt-${tag}-a`;
  const b = `flt-${tag}-b`;
  const ifA = `fa${tag}`.slice(0, 15);
  const ifB = `fb${tag}`.slice(0, 15);
  const octet = 1 + Math.floor(Math.random() * 250);
  const addrA = `198.18.${octet}.1`;
  const addrB = `198.18.${octet}.2`;
  const destroy = () => {
    for (const ns of [a, b]) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  };
  try {
    sh('ip', ['netns', 'add', a]);
    sh('ip', ['netns', 'add', b]);
    sh('ip', ['link', 'add', ifA, 'netns', a, 'type', 'veth', 'peer', 'name', ifB, 'netns', b]);
    sh('ip', ['-n', a, 'addr', 'add', `${addrA}/30`, 'dev', ifA]);
    sh('ip', ['-n', b, 'addr', 'add', `${addrB}/30`, 'dev', ifB]);
    for (const [ns, dev] of [[a, ifA], [b, ifB], [a, 'lo'], [b, 'lo']] as const) sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);
  } catch (err) {
    destroy();
    throw err;
  }
  return { a, b, addrA, addrB, ifA, ifB, destroy };
}

/** A node process; inside a named namespace when `ns` is given (nsenter execs, so the pid is node's). */
export function spawnNode(ns: string | undefined, args: string[], env: Record<string, string> = {}): ChildProcess {
  const argv = [process.execPath, ...args];
  const [cmd, rest] = ns ? ['nsenter', [`--net=/run/netns/${ns}`, '--', ...argv]] : [argv[0]!, argv.slice(1)];
  return spawn(cmd, rest, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Line-oriented control of a child: wait for a line, or send a command and wait for its answer. */
export class LineChild {
  private readonly lines: string[] = [];
  private waiters: (() => void)[] = [];
  stderr = '';

  constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      this.lines.push(l);
      this.waiters.splice(0).forEach((w) => w());
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.stdin!.on('error', () => undefined);
  }

  get pid(): number {
    return this.child.pid!;
  }

  async waitLine(match: RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.lines.findIndex((l) => match.test(l));
      if (i >= 0) return this.lines.splice(0, i + 1).at(-1)!;
      if (Date.now() > deadline || this.child.exitCode !== null) throw new Error(`no line matching ${match} (stderr: ${this.stderr.slice(-500)})`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  async ask(command: string, answer: RegExp): Promise<string> {
    this.child.stdin!.write(`${command}\n`);
    return this.waitLine(answer);
  }

  stop(): void {
    try {
      this.child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
}

export async function startNetServer(ns: string | undefined, port: number, host = '0.0.0.0'): Promise<LineChild> {
  const server = new LineChild(spawnNode(ns, [join(fixtures, 'net-server.mjs')], { PORT: String(port), HOST: host }));
  await server.waitLine(/^listening$/);
  return server;
}

/** Runs one client action (fixtures/net-client.mjs) in a namespace and returns its JSON result. */
export function client<T = Record<string, unknown>>(ns: string | undefined, ...args: (string | number)[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawnNode(ns, [join(fixtures, 'net-client.mjs'), ...args.map(String)]);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', () => {
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)!) as T);
      } catch {
        reject(new Error(`client ${args.join(' ')} printed ${JSON.stringify(out)}`));
      }
    });
  });
}

/** A UDP receiver in a namespace: `bound` once it listens, `count` of datagrams `ms` after that. */
export function udpReceiver(ns: string | undefined, port: number, ms: number): { bound: Promise<void>; count: Promise<number> } {
  const child = spawnNode(ns, [join(fixtures, 'net-client.mjs'), 'udp-recv', String(port), String(ms)]);
  let out = '';
  let onBound: () => void = () => undefined;
  const bound = new Promise<void>((r) => (onBound = r));
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('bound\n')) onBound();
  });
  const count = new Promise<number>((resolve, reject) =>
    child.on('close', () => {
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve((JSON.parse(last) as { count: number }).count);
      } catch {
        reject(new Error(`udp-recv printed ${JSON.stringify(out)}`));
      }
    }),
  );
  return { bound, count };
}

export function testContext(): FaultContext & { logs: string[] } {
  const logs: string[] = [];
  return { signal: new AbortController().signal, runId: 'test', log: (m) => logs.push(m), logs };
}

/** A target as the linux driver resolves it, for a service with this system-file config and these pids. */
export async function resolveTarget(config: Record<string, unknown>, pids: number[] = []): Promise<LinuxTarget> {
  const [target] = await new LinuxDriver().resolve(
    { service: 'srv', config },
    { services: { srv: config } },
    { baseDir: repoRoot, stateDir: repoRoot, log: () => undefined, processesOf: async () => pids.map((pid) => ({ pid, startTicks: readStartTicks(pid)!, label: `srv (pid ${pid})` })) },
  );
  return target!;
}

/** Revert from plain JSON in a fresh process, as the reaper or `faultline recover` would. */
export function revertInFreshProcess(kind: string, info: RevertInfo): { code: number | null; stdout: string; stderr: string } {
  const res = spawnSync(process.execPath, ['--import', 'tsx', join(fixtures, 'revert.ts'), kind, JSON.stringify(info)], { cwd: repoRoot, encoding: 'utf8' });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** /proc/PID/cgroup, to compare before and after. */
export function procCgroup(pid: number): string {
  return readFileSync(`/proc/${pid}/cgroup`, 'utf8');
}

/** CPU time (user + system) a process has used, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU seconds a process uses over `ms` of wall time. */
export async function cpuOver(pid: number, ms: number): Promise<number> {
  const start = cpuSeconds(pid);
  await new Promise((r) => setTimeout(r, ms));
  return cpuSeconds(pid) - start;
}

export function startNode(args: string[], env: Record<string, string> = {}): LineChild {
  return new LineChild(spawnNode(undefined, args, env));
}

export function exited(child: ChildProcess, timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}
