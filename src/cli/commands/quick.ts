/**
 * `kill`, `pause`, `restart` and `random`: one fault on one service of any kind — a process (under
 * `faultline up`, or attached by pid), a container, a Compose service or a Swarm service — run as
 * a one-step experiment (src/cli/quick-fault.ts). The service's kind picks the fault
 * (src/cli/quick-actions.ts).
 */
import type { Command } from 'commander';
import { UsageError } from '../../errors/index.js';
import type { LoadedSystem } from '../../experiment/loader/load-system.js';
import { unknownService } from '../../experiment/loader/load-system.js';
import { systemFrom } from '../context.js';
import { quickFault, serviceKind, type QuickAction, type QuickActionFlags } from '../quick-actions.js';
import { durationFlag, quickFlags, runQuickFault, type QuickOptions } from '../quick-fault.js';
import { DEFAULT_QUICK_WINDOW_MS, loadFlags, quickLoad, quickWindows, type QuickLoadFlags } from '../quick-load.js';

export const QUICK_EXIT_HELP = `
Exit codes: 0 healthy again in time (and every --slo met) · 1 not healthy again within --timeout,
or an --slo failed · 2 bad input or the service is not running · 3 interrupted (everything
reverted) · 4 a revert failed.`;

const KINDS_HELP = `
Services of every kind: a process (run by \`faultline up\`, or attached by pid, pidFile or match),
a container, a Compose service or a Swarm service — from ./faultline.yaml, --system FILE, or a
Compose file in this directory.`;

type FaultOpts = QuickOptions & QuickLoadFlags & { for?: string };

async function runAction(action: QuickAction, service: string, flags: QuickActionFlags, title: string, opts: FaultOpts, held: boolean): Promise<number> {
  const load = quickLoad(opts);
  const system = await systemFrom(opts);
  const svc = system.system.services[service];
  if (!svc) throw new UsageError(unknownService(service, Object.keys(system.system.services)));
  const choice = quickFault(action, service, svc, flags);
  return runQuickFault({ choices: [{ service, ...choice }], title, system, ...quickWindows(opts.for, load !== undefined, held), ...(load ? { load } : {}) }, opts);
}

function replicasFlag(cmd: Command): Command {
  return cmd.option('--replicas <n>', 'Compose/Swarm: how many replicas, a count (1) or a share (50%), chosen at random (default: all; kill on a Swarm service: 1)');
}

export function registerQuickCommands(program: Command, setExit: (code: number) => void): void {
  replicasFlag(loadFlags(quickFlags(program.command('kill').description('Kill a service — its process, or its container as a crash — then wait until it is healthy again and report what brought it back'))))
    .argument('<service>', 'service from the system file')
    .option('--signal <name>', 'signal to send', 'SIGKILL')
    .option('--method <method>', 'Docker services: crash (default: the main process is signalled through its host pid, as a crash would, so the restart policy fires) or engine (docker kill: a manual stop, no restart)')
    .option('--for <duration>', `with --load: the length of each window (baseline, after the kill, recovery; default ${DEFAULT_QUICK_WINDOW_MS / 1000}s)`)
    .addHelpText(
      'after',
      `${KINDS_HELP}
A process under \`faultline up\` is restarted by its restart: policy. A container comes back only
under a restart policy (always, unless-stopped, on-failure): the result names the policy, and
"did not recover" (exit 1) when there is none. A Swarm service loses one task (--replicas for more):
Swarm replaces it; the result gives the new task's id, its time to running, and the time until the
service is back at its replica count and healthy.
${QUICK_EXIT_HELP}

Examples:
  faultline kill api --json
  faultline kill web --load http://localhost:8080/ --rate 100/s --slo "errors<5%,p99<1s"
  faultline kill web --replicas 50%`,
    )
    .action(async (service: string, opts: FaultOpts & { signal: string; method?: string; replicas?: string }) => {
      const flags: QuickActionFlags = { signal: opts.signal, ...(opts.method !== undefined ? { method: opts.method } : {}), ...(opts.replicas !== undefined ? { replicas: opts.replicas } : {}) };
      setExit(await runAction('kill', service, flags, `kill ${service}`, opts, false));
    });

  replicasFlag(loadFlags(quickFlags(program.command('pause').description('Freeze a service for a while — its process (SIGSTOP) or its containers (docker pause) — then continue it and measure recovery'))))
    .argument('<service>', 'service from the system file')
    .requiredOption('--for <duration>', 'how long to keep it paused, e.g. 10s (with --load, also the baseline and recovery windows)')
    .addHelpText('after', `${KINDS_HELP}\n${QUICK_EXIT_HELP}\n\nIf faultline itself is killed while the service is paused, its reaper (or \`faultline recover\`) continues it.\n\nExample:\n  faultline pause db --for 10s --load http://localhost:8080/ --slo "errors<1%"`)
    .action(async (service: string, opts: FaultOpts & { replicas?: string }) => {
      setExit(await runAction('pause', service, opts.replicas !== undefined ? { replicas: opts.replicas } : {}, `pause ${service} for ${opts.for}`, opts, true));
    });

  replicasFlag(loadFlags(quickFlags(program.command('restart').description('Restart a service — through faultline up for a process, docker restart for a container — and report its time to recover'))))
    .argument('<service>', 'service from the system file')
    .option('--stop-timeout <duration>', 'Docker services: how long to wait after the stop signal before SIGKILL (default: the container\'s own)')
    .option('--for <duration>', `with --load: the length of each window (baseline, after the restart, recovery; default ${DEFAULT_QUICK_WINDOW_MS / 1000}s)`)
    .addHelpText('after', `${KINDS_HELP}\n${QUICK_EXIT_HELP}`)
    .action(async (service: string, opts: FaultOpts & { replicas?: string; stopTimeout?: string }) => {
      const flags: QuickActionFlags = {
        ...(opts.replicas !== undefined ? { replicas: opts.replicas } : {}),
        ...(opts.stopTimeout !== undefined ? { stopTimeout: durationFlag(opts.stopTimeout, '--stop-timeout', 0) } : {}),
      };
      setExit(await runAction('restart', service, flags, `restart ${service}`, opts, false));
    });

  loadFlags(quickFlags(program.command('random').description('Kill one random service of any kind (never an excluded, critical or watch-only one) and measure its recovery')))
    .option('--exclude <services>', 'comma-separated services never to touch', '')
    .option('--include-critical', 'also consider services marked critical')
    .option('--signal <name>', 'signal to send', 'SIGKILL')
    .option('--seed <n>', 'seed for the draw, to repeat a run (the journal records the seed it used)')
    .option('--for <duration>', `with --load: the length of each window (baseline, after the kill, recovery; default ${DEFAULT_QUICK_WINDOW_MS / 1000}s)`)
    .addHelpText('after', `${KINDS_HELP}\nThe draw is among every service but the excluded, critical (unless --include-critical) and\nwatch-only (endpoint:) ones; each is killed as \`faultline kill\` would (a Swarm service: one task).\n${QUICK_EXIT_HELP}`)
    .action(async (opts: FaultOpts & { exclude: string; includeCritical?: boolean; signal: string; seed?: string }) => {
      const load = quickLoad(opts);
      const system = await systemFrom(opts);
      const candidates = randomCandidates(system, opts.exclude, opts.includeCritical === true);
      const seed = opts.seed === undefined ? undefined : Number(opts.seed);
      if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError(`--seed: expected a whole number, got "${opts.seed}"`);
      const choices = candidates.map((service) => ({ service, ...quickFault('kill', service, system.system.services[service]!, { signal: opts.signal }) }));
      setExit(
        await runQuickFault(
          { choices, title: `kill a random service (${candidates.join(', ')})`, historyKey: 'faultline random', system, ...quickWindows(opts.for, load !== undefined, false), ...(load ? { load } : {}), ...(seed !== undefined ? { seed } : {}) },
          opts,
        ),
      );
    });
}

function randomCandidates(system: LoadedSystem, exclude: string, includeCritical: boolean): string[] {
  const services = system.system.services;
  const excluded = new Set(exclude.split(',').map((s) => s.trim()).filter(Boolean));
  // A misspelt exclusion would leave the service it meant open to the kill.
  for (const name of excluded) if (!Object.hasOwn(services, name)) throw new UsageError(`--exclude: ${unknownService(name, Object.keys(services))}`);
  const candidates = Object.entries(services)
    .filter(([name, svc]) => !excluded.has(name) && serviceKind(svc) !== 'endpoint' && (includeCritical || !svc.critical))
    .map(([name]) => name);
  if (candidates.length === 0) throw new UsageError('no service to choose from: every service is excluded, critical or watch-only');
  return candidates;
}
