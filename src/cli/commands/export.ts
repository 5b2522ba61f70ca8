import { writeFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import type { ChaosMeshSelection } from '../../drivers/kubernetes/chaos-mesh/index.js';
import { Cluster } from '../../drivers/kubernetes/cluster.js';
import { clusterRefFor, selectorOf, workloadOf } from '../../drivers/kubernetes/target.js';
import { addKubeContextOption, applyKubeContext } from '../kube-options.js';
import { UsageError } from '../../errors/index.js';
import { k8sName } from '../../experiment/schema/kubernetes.js';
import type { SystemFile } from '../../experiment/schema/system.js';
import { exportChaosMesh } from '../../export/chaos-mesh-export.js';
import { loadForExport } from '../../export/load-for-export.js';
import { renderChaosMeshYaml } from '../../export/render-yaml.js';

interface ExportOptions {
  chaosMesh?: boolean;
  system?: string;
  output?: string;
  cron?: string;
  namespace?: string;
  name?: string;
  context?: string;
}

export function registerExport(program: Command, setExit: (code: number) => void): void {
  addKubeContextOption(program.command('export'))
    .description("Print an experiment's faults as another tool's resources: Chaos Mesh (one chaos resource, a Workflow, or a Schedule with --cron)")
    .argument('<experiment>', 'the experiment file (its targets must be kubernetes services of the system file)')
    .option('--chaos-mesh', 'as Chaos Mesh resources (the only format so far)')
    .option('-s, --system <file>', "system file (default: the experiment's own `system`, else faultline.yaml beside it)")
    .option('-o, --output <file>', 'write the YAML to this file instead of stdout')
    .option('--cron <expr>', 'wrap it in a Schedule that runs it on this cron schedule ("0 3 * * *", @daily, @every 6h), one run at a time')
    .option('-n, --namespace <namespace>', "metadata.namespace of the printed resource (default: the targets' namespace, when they share one)")
    .option('--name <name>', 'metadata.name of the printed resource (default: faultline-<experiment file name>)')
    .addHelpText(
      'after',
      `
Examples:
  faultline export --chaos-mesh experiments/cart-latency.yaml | kubectl apply -f -
  faultline export --chaos-mesh experiments/cart-latency.yaml --cron "0 3 * * 1-5" -o nightly.yaml

One fault on one service becomes that Chaos Mesh resource (NetworkChaos, StressChaos, HTTPChaos,
IOChaos, TimeChaos, PodChaos) with the step's duration. Anything more becomes a Workflow: Serial
for the method's order and sequences, Parallel for parallel groups and multi-service targets,
Suspend for waits, one chaos template per fault with its duration as the deadline. --cron wraps
either in a Schedule (concurrencyPolicy Forbid).

Chaos Mesh runs faults only: the hypothesis, load, recovery expectation, rollbacks and guardrails
are left out, and the YAML's header says which ones the experiment had. Refused, with the step's
path: random choices, scale, rollout-restart, kinds that have no Chaos Mesh form (kill: use
pod-kill), and targets that are not kubernetes services. See docs/kubernetes.md.`,
    )
    .action(async (file: string, opts: ExportOptions) => {
      applyKubeContext(opts);
      if (!opts.chaosMesh) throw new UsageError('name the format: faultline export --chaos-mesh EXPERIMENT (Chaos Mesh is the only one so far)');
      for (const [flag, value] of [['--name', opts.name], ['--namespace', opts.namespace]] as const) {
        const problem = value !== undefined ? k8sName.safeParse(value).error?.issues[0]?.message : undefined;
        if (problem) throw new UsageError(`${flag} ${JSON.stringify(value)}: ${problem}`);
      }
      const loaded = await loadForExport(file, { ...(opts.system !== undefined ? { systemFile: opts.system } : {}) });
      const result = await exportChaosMesh(loaded.experiment, {
        selectionOf: (service) => selectionOf(loaded.system.system, loaded.system.dir, service),
        name: opts.name ?? defaultName(file),
        labels: { 'app.kubernetes.io/created-by': 'faultline-export' },
        annotations: { 'faultline.dev/experiment': basename(file) },
        file: loaded.file,
        ...(opts.cron !== undefined ? { cron: opts.cron } : {}),
        ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
      });
      const yaml = renderChaosMeshYaml(result, { file: loaded.file, title: loaded.experiment.title });
      if (opts.output === undefined) process.stdout.write(yaml);
      else {
        await writeFile(opts.output, yaml);
        process.stderr.write(`wrote ${opts.output} (${result.resource.kind} ${String(result.resource.metadata.name)})\n`);
      }
      setExit(0);
    });
}

/**
 * A service's pods as Chaos Mesh selects them: its own selector, from the system file alone; a
 * workload's, read from the cluster (its spec.selector.matchLabels), which must then be reachable.
 */
async function selectionOf(system: SystemFile, baseDir: string, service: string): Promise<ChaosMeshSelection> {
  const k = system.services[service]?.kubernetes;
  if (!k) throw new UsageError(`service "${service}" is not a kubernetes service`);
  const containers = k.container !== undefined ? { containerNames: [k.container] } : {};
  if (k.selector !== undefined) return { namespace: k.namespace, labelSelectors: { ...k.selector }, ...containers };
  const workload = workloadOf(k)!;
  try {
    const cluster = await Cluster.connect(clusterRefFor(system.kubernetes, baseDir));
    const { selector } = await selectorOf(cluster, k);
    return { namespace: k.namespace, labelSelectors: selector, ...containers };
  } catch (err) {
    throw new UsageError(
      `service "${service}" names ${workload.kind} ${workload.name}, whose pods' labels are in its selector in the cluster, which could not be read: ${(err as Error).message}. Run export where the cluster is reachable (--context), or give the service selector: { … } (the workload's matchLabels) in the system file`,
    );
  }
}

function defaultName(file: string): string {
  const slug = basename(file, extname(file)).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  return `faultline-${slug || 'experiment'}`.slice(0, 63).replace(/-$/, '');
}
