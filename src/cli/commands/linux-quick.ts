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
import { unknownService } from '../../experiment/loader/load-system.js';
import { systemFrom } from '../context.js';
import { quickFault } from '../quick-actions.js';
import { quickFlags, runQuickFault, type QuickOptions } from '../quick-fault.js';
import { loadFlags, quickLoad, quickWindows, type QuickLoadFlags } from '../quick-load.js';


/** The shared quick flags; a host:port target needs no system file. */
function linuxFlags(cmd: Command): Command {
  return quickFlags(cmd, 'system file (default: ./faultline.yaml, else the Compose file here; not needed for a host:port target)');
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

type LoadOpts = QuickOptions & QuickLoadFlags & { for: string };
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

async function runNetwork(fault: LinuxFaultName, target: string, params: Record<string, unknown>, title: string, opts: LoadOpts, rateFlag: 'rate' | 'load-rate' = 'rate'): Promise<number> {
  const load = quickLoad(opts, rateFlag);
  const windows = quickWindows(opts.for, load !== undefined, true);
  preflight(fault, params);
  const withLoad = { ...windows, ...(load ? { load } : {}) };
  if (target.includes(':')) {
    const { service, system } = await endpointSystem(target);
    return runQuickFault({ choices: [{ service, fault, params }], title, system, ...withLoad }, opts);
  }
  return runQuickFault({ choices: [{ service: target, fault, params }], title, ...withLoad }, opts);
}

export function registerLinuxQuick(program: Command, setExit: (code: number) => void): void {
  selectorFlags(loadFlags(linuxFlags(program.command('partition').description('Cut a service (or host:port) off the network for a while — its packets dropped, or rejected — then heal it'))))
    .argument('<target>', 'service from the system file, or host:port')
    .requiredOption('--for <duration>', 'how long, e.g. 10s')
    .option('--reject', 'reject (TCP reset, ICMP unreachable) instead of dropping silently')
    .addHelpText('after', `${EXIT_HELP}\n\nExamples:\n  faultline partition db --for 10s\n  faultline partition 127.0.0.1:5432 --for 10s --reject`)
    .action(async (target: string, opts: LoadOpts & SelectorOpts & { reject?: boolean }) => {
      const params = { ...selectorParams(opts), action: opts.reject ? 'reject' : 'drop' };
      setExit(await runNetwork('net-partition', target, params, `partition ${target} for ${opts.for}`, opts));
    });

  selectorFlags(loadFlags(linuxFlags(program.command('loss').description('Drop a share of a service\'s (or host:port\'s) packets at random for a while'))))
    .argument('<target>', 'service from the system file, or host:port')
    .requiredOption('--percent <p>', 'share of packets to drop, e.g. 20')
    .requiredOption('--for <duration>', 'how long, e.g. 10s')
    .addHelpText('after', `${EXIT_HELP}\n\nExample:\n  faultline loss api --percent 20 --for 10s`)
    .action(async (target: string, opts: LoadOpts & SelectorOpts & { percent: string }) => {
      const params = { ...selectorParams(opts), percent: numberFlag(opts.percent.replace(/%$/, ''), '--percent') };
      setExit(await runNetwork('net-loss', target, params, `lose ${opts.percent}% of ${target}'s packets for ${opts.for}`, opts));
    });

  selectorFlags(loadFlags(linuxFlags(program.command('bandwidth').description('Limit the bandwidth of a service\'s (or host:port\'s) traffic for a while (tc htb)')), 'load-rate'))
    .argument('<target>', 'service from the system file, or host:port')
    .requiredOption('--rate <rate>', 'e.g. 1mbit, 500kbit, 2mbps (bytes/s, as tc writes it)')
    .requiredOption('--for <duration>', 'how long, e.g. 10s')
    .option('--interfaces <list>', 'interfaces to shape, comma-separated (default: chosen from the routes)')
    .addHelpText('after', `${EXIT_HELP}\n\nExample:\n  faultline bandwidth api --rate 1mbit --for 10s`)
    .action(async (target: string, opts: LoadOpts & SelectorOpts & { rate: string; interfaces?: string }) => {
      const params = { ...selectorParams(opts), rate: opts.rate, ...(opts.interfaces ? { interfaces: list(opts.interfaces) } : {}) };
      setExit(await runNetwork('net-bandwidth', target, params, `limit ${target} to ${opts.rate} for ${opts.for}`, opts, 'load-rate'));
    });

  loadFlags(linuxFlags(program.command('limit').description('Cap a service\'s CPU and/or memory for a while — cgroups for a process, the Engine\'s limits for a container — then restore the previous limits')))
    .argument('<service>', 'service from the system file')
    .option('--cpu <cpus>', 'CPUs it may use, e.g. 0.5')
    .option('--memory <size>', 'memory limit, e.g. 64m (past it, processes are OOM-killed; kills are recorded)')
    .option('--mode <mode>', 'process services: auto, in-place or move (see docs/linux.md)')
    .option('--replicas <n>', 'Compose/Swarm: how many replicas, a count (1) or a share (50%) (default: all)')
    .requiredOption('--for <duration>', 'how long, e.g. 30s')
    .addHelpText('after', `${EXIT_HELP}\n\nA Docker service (container, Compose, Swarm) is limited through the Engine API (docker update):\nno root needed; its previous limits are restored.\n\nExamples:\n  faultline limit api --cpu 0.5 --memory 64m --for 30s\n  faultline limit web --memory 32m --for 20s      # a Compose service`)
    .action(async (service: string, opts: LoadOpts & { cpu?: string; memory?: string; mode?: string; replicas?: string }) => {
      if (opts.cpu === undefined && opts.memory === undefined) throw new UsageError('limit: give --cpu, --memory or both');
      const load = quickLoad(opts);
      const system = await systemFrom(opts);
      const svc = system.system.services[service];
      if (!svc) throw new UsageError(unknownService(service, Object.keys(system.system.services)));
      const choice = quickFault('limit', service, svc, {
        ...(opts.cpu !== undefined ? { cpus: numberFlag(opts.cpu, '--cpu') } : {}),
        ...(opts.memory !== undefined ? { memory: opts.memory } : {}),
        ...(opts.mode !== undefined ? { mode: opts.mode } : {}),
        ...(opts.replicas !== undefined ? { replicas: opts.replicas } : {}),
      });
      if (choice.fault === 'resource-limit') preflight('resource-limit', choice.params);
      const what = [opts.cpu !== undefined ? `${opts.cpu} CPU` : '', opts.memory !== undefined ? `${opts.memory} of memory` : ''].filter(Boolean).join(' and ');
      setExit(await runQuickFault({ choices: [{ service, ...choice }], ...quickWindows(opts.for, load !== undefined, true), ...(load ? { load } : {}), title: `limit ${service} to ${what} for ${opts.for}`, system }, opts));
    });

  loadFlags(linuxFlags(program.command('stress').description('Burn CPU and/or hold memory beside a service, inside its cgroups, for a while')))
    .argument('<service>', 'service from the system file')
    .option('--cpu <workers>', 'busy workers, each worth up to one CPU')
    .option('--cpu-load <percent>', 'share of each CPU worker\'s time spent busy', '100')
    .option('--memory <size>', 'memory to allocate and keep resident, e.g. 256m')
    .option('--engine <engine>', 'auto (stress-ng when installed), builtin or stress-ng', 'auto')
    .option('--placement <where>', 'target (in its cgroups) or host', 'target')
    .requiredOption('--for <duration>', 'how long, e.g. 10s')
    .addHelpText('after', `${EXIT_HELP}\n\nA Docker service is stressed inside its containers' cgroups (placement target), as a process service is.\n\nExamples:\n  faultline stress api --cpu 2 --for 10s\n  faultline stress web --cpu 1 --cpu-load 50 --for 20s --load http://localhost:8080/`)
    .action(async (service: string, opts: LoadOpts & { cpu?: string; cpuLoad: string; memory?: string; engine: string; placement: string }) => {
      if (opts.cpu === undefined && opts.memory === undefined) throw new UsageError('stress: give --cpu, --memory or both');
      // --load was the CPU share before it was the traffic URL: say so rather than send traffic to "50".
      if (opts.load !== undefined && /^\d+(\.\d+)?%?$/.test(opts.load)) throw new UsageError(`--load is the URL to send traffic to; the share of each CPU worker's time spent busy is --cpu-load ${opts.load.replace(/%$/, '')}`);
      const load = quickLoad(opts);
      const params = {
        load: numberFlag(opts.cpuLoad, '--cpu-load'),
        engine: opts.engine,
        placement: opts.placement,
        ...(opts.cpu !== undefined ? { cpu: numberFlag(opts.cpu, '--cpu') } : {}),
        ...(opts.memory !== undefined ? { memory: opts.memory } : {}),
      };
      preflight('stress', params);
      const what = [opts.cpu !== undefined ? `${opts.cpu} CPU worker(s)` : '', opts.memory !== undefined ? `${opts.memory} of memory` : ''].filter(Boolean).join(' and ');
      setExit(await runQuickFault({ choices: [{ service, fault: 'stress', params }], ...quickWindows(opts.for, load !== undefined, true), ...(load ? { load } : {}), title: `stress ${service} with ${what} for ${opts.for}` }, opts));
    });
}
