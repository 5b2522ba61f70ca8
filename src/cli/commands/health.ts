import type { Command } from 'commander';
import { checkHealth } from '../../experiment/runtime/health.js';
import { composeFlags, printJson, systemFrom, type CommonOptions } from '../context.js';

export function registerHealth(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('health')
    .description('Check every service\'s health once and print a table (exit 1 when any is unhealthy)')
    .option('-s, --system <file>', 'system file (default: ./faultline.yaml, else the Compose file here)');
  composeFlags(cmd)
    .option('--json', 'print the result as JSON')
    .action(async (opts: CommonOptions) => {
      const system = await systemFrom(opts);
      const rows = await Promise.all(
        Object.entries(system.system.services).map(async ([service, svc]) => {
          if (!svc.health) return { service, status: 'unknown' as const, latencyMs: null, observed: 'no health check' };
          const r = await checkHealth(svc.health, { cwd: system.dir });
          return { service, status: r.ok ? ('healthy' as const) : ('unhealthy' as const), latencyMs: Math.round(r.latencyMs * 10) / 10, observed: r.observed, ...(r.said ? { said: r.said } : {}) };
        }),
      );
      if (opts.json) printJson({ services: rows });
      else {
        const width = Math.max(7, ...rows.map((r) => r.service.length));
        process.stdout.write(`${'SERVICE'.padEnd(width)}  ${'STATUS'.padEnd(9)}  ${'LATENCY'.padStart(9)}  DETAIL\n`);
        for (const r of rows) {
          const latency = r.latencyMs === null ? '-' : `${r.latencyMs}ms`;
          process.stdout.write(`${r.service.padEnd(width)}  ${r.status.padEnd(9)}  ${latency.padStart(9)}  ${r.observed}${'said' in r ? ` — ${r.said}` : ''}\n`);
        }
      }
      setExit(rows.some((r) => r.status === 'unhealthy') ? 1 : 0);
    });
}
