/** `faultline grafana dashboard`: prints the Grafana dashboard for the exporter's metrics (src/grafana/dashboard.ts). */
import type { Command } from 'commander';

export function registerGrafana(program: Command, setExit: (code: number) => void): void {
  const grafana = program.command('grafana').description('Grafana: a dashboard for the metrics of --metrics-listen / --metrics-push');
  grafana
    .command('dashboard')
    .description('Print a Grafana dashboard (JSON) for faultline\'s Prometheus metrics: import it in Grafana (Dashboards → New → Import)')
    .addHelpText(
      'after',
      `
Panels: faults active (state timeline), service health and probe success, time to recover, runs by
result, guardrail aborts, load rate, errors and latency. Variables: the Prometheus data source,
experiment and service. Annotations posted by --grafana-url (tag "faultline") show on every panel.

Example:
  faultline grafana dashboard > faultline.json`,
    )
    .action(async () => {
      // Loaded here: the SDK's modules would slow every other command's start.
      const { faultlineDashboard } = await import('../../grafana/dashboard.js');
      process.stdout.write(`${JSON.stringify(faultlineDashboard(), null, 2)}\n`);
      setExit(0);
    });
}
