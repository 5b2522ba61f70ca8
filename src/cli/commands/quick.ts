import type { Command } from 'commander';
import { isDockerService } from '../../drivers/docker/index.js';
import { UsageError } from '../../errors/index.js';
import { unknownService } from '../../experiment/loader/load-system.js';
import { durationFlag, quickFlags, runQuickFault, type QuickOptions } from '../quick-fault.js';
import { systemFrom } from '../context.js';

const EXIT_HELP = `
Exit codes: 0 healthy again in time · 1 not healthy again within --timeout · 2 bad input or the
service is not running · 3 interrupted (everything reverted) · 4 a revert failed.`;

export function registerQuickCommands(program: Command, setExit: (code: number) => void): void {
  quickFlags(program.command('kill').description('Kill a service\'s process, then wait until it is healthy again and report its time to recover'))
    .argument('<service>', 'service from the system file')
    .option('--signal <name>', 'signal to send', 'SIGKILL')
    .addHelpText('after', `${EXIT_HELP}\n\nExample:\n  faultline up &   # supervises the system's process services\n  faultline kill api --json`)
    .action(async (service: string, opts: QuickOptions & { signal: string }) => {
      setExit(await runQuickFault({ fault: 'kill', target: service, params: { signal: opts.signal }, title: `kill ${service}` }, opts));
    });

  quickFlags(program.command('pause').description('Freeze a service\'s process (SIGSTOP) for a while, then continue it (SIGCONT) and measure recovery'))
    .argument('<service>', 'service from the system file')
    .requiredOption('--for <duration>', 'how long to keep it paused, e.g. 10s')
    .addHelpText('after', `${EXIT_HELP}\n\nIf faultline itself is killed while a process is paused, \`faultline recover\` continues it.`)
    .action(async (service: string, opts: QuickOptions & { for: string }) => {
      const duration = durationFlag(opts.for, '--for', 0);
      setExit(await runQuickFault({ fault: 'pause', target: service, duration, title: `pause ${service} for ${opts.for}` }, opts));
    });

  quickFlags(program.command('restart').description('Restart a service (through its supervisor when it has one) and report its time to recover'))
    .argument('<service>', 'service from the system file')
    .addHelpText('after', EXIT_HELP)
    .action(async (service: string, opts: QuickOptions) => {
      setExit(await runQuickFault({ fault: 'restart', target: service, title: `restart ${service}` }, opts));
    });

  quickFlags(program.command('random').description('Kill one random service (never an excluded or critical one) and measure its recovery'))
    .option('--exclude <services>', 'comma-separated services never to touch', '')
    .option('--include-critical', 'also consider services marked critical')
    .option('--signal <name>', 'signal to send', 'SIGKILL')
    .addHelpText('after', EXIT_HELP)
    .action(async (opts: QuickOptions & { exclude: string; includeCritical?: boolean; signal: string }) => {
      const system = await systemFrom(opts);
      const excluded = new Set(opts.exclude.split(',').map((s) => s.trim()).filter(Boolean));
      const names = Object.keys(system.system.services);
      // A misspelt exclusion would leave the service it meant open to the kill.
      for (const name of excluded) if (!Object.hasOwn(system.system.services, name)) throw new UsageError(`--exclude: ${unknownService(name, names)}`);
      const candidates = Object.entries(system.system.services)
        // Process kills only: watch-only endpoints and Docker services (container-* faults, in an experiment) are not candidates.
        .filter(([name, svc]) => !excluded.has(name) && svc.endpoint === undefined && !isDockerService(svc) && (opts.includeCritical || !svc.critical))
        .map(([name]) => name);
      if (candidates.length === 0) throw new UsageError('no service to choose from: every service is excluded, critical, watch-only or a Docker service');
      setExit(await runQuickFault({ fault: 'kill', target: { random: candidates }, params: { signal: opts.signal }, title: `kill a random service (${candidates.join(', ')})`, historyKey: 'faultline random' }, opts));
    });
}
