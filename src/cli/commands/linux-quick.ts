/**
 * Quick commands for the linux driver's host faults: `partition`, `loss`, `bandwidth` (a service,
 * or `host:port` with no system file), `limit` and `stress` (a service). Each is a one-step
 * experiment run by the same runner as `faultline run`: ledger first, reverted at the end, on
 * Ctrl-C, and by the reaper after a crash. Preflight (root, tools, kernel features) runs before
 * anything else, so a host that cannot run the fault gets exit 2 and is left untouched.
 */
import { connect } from 'node:net';
import type { Command } from 'commander';
import { linuxFaults, type LinuxFaultName } from '../../drivers/linux/index.js';
import { checkRequirements } from '../../drivers/linux/preflight.js';
import { parseEndpoint } from '../../drivers/linux/target.js';
import { UsageError } from '../../errors/index.js';
import type { LoadedSystem } from '../../experiment/loader/load-system.js';
import { systemSchema } from '../../experiment/schema/system.js';
import { durationFlag, quickFlags, runQuickFault, type QuickOptions } from '../quick-fault.js';


/** The shared quick flags; a host:port target needs no system file. */
function linuxFlags(cmd: Command): Command {
  return quickFlags(cmd, 'system file (default: ./faultline.yaml; not needed for a host:port target)');
}

function selectorFlags(cmd: Command): Command {
  return cmd
    .option('--direction <dir>', 'ingress (to the target), egress (from it) or both', 'both')
    .option('--peers <list>', 'only traffic with these addresses/CIDRs, comma-separated')
    .option('--ports <list>', "the target's ports, comma-separated (default: the service's ports, or the host:port's)")
    .option('--protocol <p>', 'tcp, udp or all', 'all');
}

const EXIT_HELP = `
Needs root (or the capabilities the fault names); checked before anything is applied.
Exit codes: 0 healthy again in time (or no health check) · 1 not healthy again within --timeout ·
2 bad input, or this host cannot run the fault · 3 interrupted (everything reverted) · 4 a revert failed.
If faultline dies while the fault holds, its reaper reverts it; \`faultline recover\` does too.`;

type SelectorOpts = { direction: string; peers?: string; ports?: string; protocol: string };

function selectorParams(opts: SelectorOpts): Record<string, unknown> {
  return {
    direction: opts.direction,
    protocol: opts.protocol,
    ...(opts.peers ? { peers: list(opts.peers) } : {}),
    ...(opts.ports ? { ports: list(opts.ports).map((p) => numberFlag(p, '--ports')) } : {}),
  };
}

function list(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

function numberFlag(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`${flag}: expected a number, got "${value}"`);
  return n;
}

/** Preflight for the command line: the parameters, then what the host must have, before the run starts. */
function preflight(fault: LinuxFaultName, params: Record<string, unknown>): void {
  const kind = linuxFaults[fault];
  const parsed = kind.params.safeParse(params);
  if (!parsed.success) throw new UsageError(`${fault}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'parameters'}: ${i.message}`).join('; ')}`);
  checkRequirements(fault, (kind.requirements as (p: unknown) => ReturnType<typeof kind.requirements>)(parsed.data));
}

/** A `host:port` target: a system of one watch-only service, checked over TCP when something answers there. */
export async function endpointSystem(ref: string): Promise<{ service: string; system: LoadedSystem }> {
  const ep = parseEndpoint(ref);
  if (!ep || ep.port === undefined) throw new UsageError(`expected a service from the system file or host:port, got "${ref}"`);
  const service = ref.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'endpoint';
  const hostPort = `${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`;
  const answers = await tcpAnswers(ep.host, ep.port);
  const system = systemSchema.parse({ services: { [service]: { endpoint: hostPort, ports: [ep.port], ...(answers ? { health: { tcp: hostPort, timeout: '500ms' } } : {}) } } });
  return { service, system: { file: hostPort, absPath: hostPort, dir: process.cwd(), system } };
}

function tcpAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

async function runNetwork(fault: LinuxFaultName, target: string, params: Record<string, unknown>, duration: number, title: string, opts: QuickOptions): Promise<number> {
  preflight(fault, params);
  if (target.includes(':')) {
    const { service, system } = await endpointSystem(target);
    return runQuickFault({ fault, target: service, duration, params, title, system }, opts);
  }
  return runQuickFault({ fault, target, duration, params, title }, opts);
}

export function registerLinuxQuick(program: Command, setExit: (code: number) => void): void {
  selectorFlags(linuxFlags(program.command('partition').description('Cut a service (or host:port) off the network for a while — its packets dropped, or rejected — then heal it')))
    .argument('<target>', 'service from the system file, or host:port')
    .requiredOption('--for <duration>', 'how long, e.g. 10s')
    .option('--reject', 'reject (TCP reset, ICMP unreachable) instead of dropping silently')
    .addHelpText('after', `${EXIT_HELP}\n\nExamples:\n  faultline partition db --for 10s\n  faultline partition 127.0.0.1:5432 --for 10s --reject`)
    .action(async (target: string, opts: QuickOptions & SelectorOpts & { for: string; reject?: boolean }) => {
      const duration = durationFlag(opts.for, '--for', 0);
      const params = { ...selectorParams(opts), action: opts.reject ? 'reject' : 'drop' };
      setExit(await runNetwork('net-partition', target, params, duration, `partition ${target} for ${opts.for}`, opts));
    });

  selectorFlags(linuxFlags(program.command('loss').description('Drop a share of a service\'s (or host:port\'s) packets at random for a while')))
    .argument('<target>', 'service from the system file, or host:port')
    .requiredOption('--percent <p>', 'share of packets to drop, e.g. 20')
    .requiredOption('--for <duration>', 'how long, e.g. 10s')
    .addHelpText('after', `${EXIT_HELP}\n\nExample:\n  faultline loss api --percent 20 --for 10s`)
    .action(async (target: string, opts: QuickOptions & SelectorOpts & { for: string; percent: string }) => {
      const duration = durationFlag(opts.for, '--for', 0);
      const params = { ...selectorParams(opts), percent: numberFlag(opts.percent.replace(/%$/, ''), '--percent') };
      setExit(await runNetwork('net-loss', target, params, duration, `lose ${opts.percent}% of ${target}'s packets for ${opts.for}`, opts));
    });

  selectorFlags(linuxFlags(program.command('bandwidth').description('Limit the bandwidth of a service\'s (or host:port\'s) traffic for a while (tc htb)')))
    .argument('<target>', 'service from the system file, or host:port')
    .requiredOption('--rate <rate>', 'e.g. 1mbit, 500kbit, 2mbps (bytes/s, as tc writes it)')
    .requiredOption('--for <duration>', 'how long, e.g. 10s')
    .option('--interfaces <list>', 'interfaces to shape, comma-separated (default: chosen from the routes)')
    .addHelpText('after', `${EXIT_HELP}\n\nExample:\n  faultline bandwidth api --rate 1mbit --for 10s`)
    .action(async (target: string, opts: QuickOptions & SelectorOpts & { for: string; rate: string; interfaces?: string }) => {
      const duration = durationFlag(opts.for, '--for', 0);
      const params = { ...selectorParams(opts), rate: opts.rate, ...(opts.interfaces ? { interfaces: list(opts.interfaces) } : {}) };
      setExit(await runNetwork('net-bandwidth', target, params, duration, `limit ${target} to ${opts.rate} for ${opts.for}`, opts));
    });

  linuxFlags(program.command('limit').description('Cap a service\'s CPU and/or memory through cgroups for a while, then restore the previous limits'))
    .argument('<service>', 'service from the system file')
    .option('--cpu <cpus>', 'CPUs it may use, e.g. 0.5')
    .option('--memory <size>', 'memory limit, e.g. 64m (past it, processes are OOM-killed; kills are recorded)')
    .option('--mode <mode>', 'auto, in-place or move (see docs/linux.md)', 'auto')
    .requiredOption('--for <duration>', 'how long, e.g. 30s')
    .addHelpText('after', `${EXIT_HELP}\n\nExample:\n  faultline limit api --cpu 0.5 --memory 64m --for 30s`)
    .action(async (service: string, opts: QuickOptions & { cpu?: string; memory?: string; mode: string; for: string }) => {
      if (opts.cpu === undefined && opts.memory === undefined) throw new UsageError('limit: give --cpu, --memory or both');
      const duration = durationFlag(opts.for, '--for', 0);
      const params = { mode: opts.mode, ...(opts.cpu !== undefined ? { cpus: numberFlag(opts.cpu, '--cpu') } : {}), ...(opts.memory !== undefined ? { memory: opts.memory } : {}) };
      preflight('resource-limit', params);
      const what = [opts.cpu !== undefined ? `${opts.cpu} CPU` : '', opts.memory !== undefined ? `${opts.memory} of memory` : ''].filter(Boolean).join(' and ');
      setExit(await runQuickFault({ fault: 'resource-limit', target: service, duration, params, title: `limit ${service} to ${what} for ${opts.for}` }, opts));
    });

  linuxFlags(program.command('stress').description('Burn CPU and/or hold memory beside a service, inside its cgroups, for a while'))
    .argument('<service>', 'service from the system file')
    .option('--cpu <workers>', 'busy workers, each worth up to one CPU')
    .option('--load <percent>', 'share of each CPU worker\'s time spent busy', '100')
    .option('--memory <size>', 'memory to allocate and keep resident, e.g. 256m')
    .option('--engine <engine>', 'auto (stress-ng when installed), builtin or stress-ng', 'auto')
    .option('--placement <where>', 'target (in its cgroups) or host', 'target')
    .requiredOption('--for <duration>', 'how long, e.g. 10s')
    .addHelpText('after', `${EXIT_HELP}\n\nExample:\n  faultline stress api --cpu 2 --for 10s`)
    .action(async (service: string, opts: QuickOptions & { cpu?: string; load: string; memory?: string; engine: string; placement: string; for: string }) => {
      if (opts.cpu === undefined && opts.memory === undefined) throw new UsageError('stress: give --cpu, --memory or both');
      const duration = durationFlag(opts.for, '--for', 0);
      const params = {
        load: numberFlag(opts.load, '--load'),
        engine: opts.engine,
        placement: opts.placement,
        ...(opts.cpu !== undefined ? { cpu: numberFlag(opts.cpu, '--cpu') } : {}),
        ...(opts.memory !== undefined ? { memory: opts.memory } : {}),
      };
      preflight('stress', params);
      const what = [opts.cpu !== undefined ? `${opts.cpu} CPU worker(s)` : '', opts.memory !== undefined ? `${opts.memory} of memory` : ''].filter(Boolean).join(' and ');
      setExit(await runQuickFault({ fault: 'stress', target: service, duration, params, title: `stress ${service} with ${what} for ${opts.for}` }, opts));
    });
}
