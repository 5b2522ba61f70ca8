/** `--context` for commands that may reach a Kubernetes cluster: it wins over the system file's kubernetes.context. */
import type { Command } from 'commander';
import { CONTEXT_ENV } from '../drivers/kubernetes/cluster.js';

export function addKubeContextOption(command: Command): Command {
  return command.option('--context <name>', `Kubernetes: the kubeconfig context to use (over the system file's kubernetes.context; also $${CONTEXT_ENV})`);
}

/** Before anything resolves a cluster: the drivers, probes and sweeps read it from the environment. */
export function applyKubeContext(opts: { context?: string }): void {
  if (opts.context) process.env[CONTEXT_ENV] = opts.context;
}
