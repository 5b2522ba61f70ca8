import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import type { Command } from 'commander';
import { composeToSystem } from '../../compose/compose-to-system.js';
import { UsageError, formatIssue } from '../../errors/index.js';
import { printJson } from '../context.js';
import { clusterToSystem } from '../../drivers/kubernetes/init-system.js';
import { runClusterRef } from '../../drivers/kubernetes/cluster.js';

interface InitOptions {
  compose?: string;
  kubernetes?: boolean;
  namespace?: string;
  context?: string;
  output: string;
  project?: string;
  force?: boolean;
  stdout?: boolean;
  json?: boolean;
}

export function registerInit(program: Command, setExit: (code: number) => void): void {
  program
    .command('init')
    .description('Write a system file (faultline.yaml) from a Docker Compose file or a Kubernetes namespace: services, health checks, dependsOn')
    .option('--compose <file>', 'the Compose file to read (docker-compose.yml, compose.yaml)')
    .option('--kubernetes', 'read a Kubernetes namespace instead (with -n): its Deployments, StatefulSets and DaemonSets')
    .option('-n, --namespace <name>', 'with --kubernetes: the namespace')
    .option('--context <name>', 'with --kubernetes: the kubeconfig context (default: the current one)')
    .option('-o, --output <file>', 'the system file to write', 'faultline.yaml')
    .option('--project <name>', 'the Compose project name (default: the project whose containers run from this file, else the file\'s name:, else its directory\'s name)')
    .option('--force', 'overwrite the output file if it exists')
    .option('--stdout', 'print the system file instead of writing it')
    .option('--json', 'print a summary as JSON (services, health checks, warnings) instead of text')
    .addHelpText(
      'after',
      `
Examples:
  faultline init --compose docker-compose.yml                 write ./faultline.yaml
  faultline init --kubernetes -n shop --context kind-shop     from a cluster's namespace
  faultline init --compose deploy/compose.yaml -o shop.yaml --project shop
  faultline init --compose docker-compose.yml --stdout | less
  faultline init --compose docker-compose.yml --force         replace an existing faultline.yaml

The project is the one whose containers on the Docker engine were started from this file (their
com.docker.compose.* labels), so \`docker-compose -p shop up -d\` gives project shop; when none
are, the file's name: or its directory's name; when several are, --project says which. One line
says which was chosen and why.

Each compose service becomes a service with a compose target (project + service), a health check
from its first published HTTP (else TCP) port, and dependsOn from depends_on, links, volumes_from
and network_mode: service:X. Nothing is marked critical: the file says where to. Unsupported
features (extends, profiles, include) are warnings on stderr. Exit 2 when the compose file is
invalid or the output exists (without --force); nothing is written then. See docs/compose.md.

With --kubernetes, each Deployment, StatefulSet and DaemonSet of the namespace becomes a service
that targets it; its health is "all pods Ready" read from the API server (the readiness probe and
the Service in front of it are written as comments); dependsOn comes from environment values that
name another workload's Service. The namespace becomes the allow-list. See docs/kubernetes.md.`,
    )
    .action(async (opts: InitOptions) => {
      if (opts.stdout && opts.json) throw new UsageError('--stdout and --json cannot be combined: --stdout prints the system file itself');
      const output = opts.output;
      if (!opts.stdout && !['.yaml', '.yml'].includes(extname(output).toLowerCase())) {
        throw new UsageError(`--output ${output}: expected a .yaml or .yml file name`);
      }
      const target = resolve(output);
      if (!opts.stdout && existsSync(target) && !opts.force) {
        throw new UsageError(`${output} already exists; nothing was written. Use --force to overwrite it, -o FILE to write elsewhere, or --stdout`);
      }
      if ((opts.compose === undefined) === (opts.kubernetes !== true)) throw new UsageError('expected one of --compose FILE or --kubernetes -n NAMESPACE');
      if (opts.kubernetes) {
        setExit(await initKubernetes(opts, output, target));
        return;
      }
      const result = await composeToSystem(opts.compose!, {
        ...(opts.project !== undefined ? { project: opts.project } : {}),
        ...(opts.stdout ? {} : { outputFile: output }),
      });
      for (const w of result.warnings) process.stderr.write(`warning ${formatIssue(w)}\n`);
      const chosen = `compose project ${result.project} (${result.choice.reason})\n`;
      if (opts.stdout) {
        process.stderr.write(chosen);
        process.stdout.write(result.text);
        setExit(0);
        return;
      }
      await mkdir(dirname(target), { recursive: true });
      const temp = `${target}.${process.pid}.tmp`;
      await writeFile(temp, result.text, { flag: 'wx' });
      await rename(temp, target);

      const rows = result.services.map((s) => ({
        service: s.name,
        health: s.config.health ? ('http' in s.config.health ? `http ${s.config.health.http}` : `tcp ${s.config.health.tcp}`) : null,
        dependsOn: s.config.dependsOn,
      }));
      if (opts.json) {
        printJson({ output, compose: opts.compose, project: result.project, projectChosenBy: result.choice.by, projectReason: result.choice.reason, services: rows, warnings: result.warnings });
      } else {
        process.stdout.write(chosen);
        process.stdout.write(`wrote ${output}: ${rows.length} service${rows.length === 1 ? '' : 's'} from ${opts.compose} (compose project ${result.project})\n`);
        const width = Math.max(...rows.map((r) => r.service.length));
        for (const r of rows) {
          const deps = r.dependsOn.length ? `  dependsOn ${r.dependsOn.join(', ')}` : '';
          process.stdout.write(`  ${r.service.padEnd(width)}  ${r.health ?? 'no health: check (see the comment in the file)'}${deps}\n`);
        }
        process.stdout.write(`next: review the health checks and critical flags, then  faultline validate ${output}  and  faultline graph --system ${output}\n`);
      }
      setExit(0);
    });
}

async function initKubernetes(opts: InitOptions, output: string, target: string): Promise<number> {
  if (!opts.namespace) throw new UsageError('--kubernetes: expected -n NAMESPACE, the namespace to read');
  const ref = runClusterRef(opts.context ? { context: opts.context } : undefined);
  const result = await clusterToSystem(ref, opts.namespace, { now: new Date(), ...(opts.stdout ? {} : { output }) });
  for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
  if (opts.stdout) {
    process.stderr.write(`namespace ${opts.namespace} in ${result.cluster}\n`);
    process.stdout.write(result.text);
    return 0;
  }
  await mkdir(dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, result.text, { flag: 'wx' });
  await rename(temp, target);
  const rows = result.services.map((s) => ({ service: s.name, workload: `${s.kind} ${s.workload}`, dependsOn: s.dependsOn }));
  if (opts.json) {
    printJson({ output, namespace: opts.namespace, cluster: result.cluster, services: rows, warnings: result.warnings });
    return 0;
  }
  process.stdout.write(`wrote ${output}: ${rows.length} service${rows.length === 1 ? '' : 's'} from namespace ${opts.namespace} in ${result.cluster}\n`);
  const width = Math.max(...rows.map((r) => r.service.length));
  for (const r of rows) process.stdout.write(`  ${r.service.padEnd(width)}  ${r.workload}, health: all pods Ready${r.dependsOn.length ? `  dependsOn ${r.dependsOn.join(', ')}` : ''}\n`);
  process.stdout.write(`next: review dependsOn and critical flags, then  faultline validate ${output}\n`);
  return 0;
}
