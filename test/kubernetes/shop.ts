/**
 * The shop of examples/kubernetes on the stand-in API server: its manifests applied as they are,
 * every pod Ready, and a temp dir with a system file that points at the stand-in's kubeconfig —
 * what the driver tests run `faultline` against.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot, tempDir, waitFor } from '../helpers/cli.js';
import { startKubeApiServer, type KubeObject, type KubeStandIn, type KubeStandInOptions } from '../helpers/kube/index.js';

export interface Shop {
  server: KubeStandIn;
  dir: string;
  /** Environment for the CLI: its own state dir (the ledger, the reaper's runs). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export const SHOP_MANIFESTS = join(repoRoot, 'examples', 'kubernetes', 'manifests', 'shop.yaml');

export function readyPods(server: KubeStandIn, app: string): KubeObject[] {
  return server
    .list('pods', 'shop')
    .filter((p) => p.metadata.labels?.app === app && !p.metadata.deletionTimestamp)
    .filter((p) => ((p.status?.conditions ?? []) as { type: string; status: string }[]).some((c) => c.type === 'Ready' && c.status === 'True'));
}

export async function startShop(options: KubeStandInOptions & { system?: (base: string) => string } = {}): Promise<Shop> {
  const server = await startKubeApiServer({ chaosMesh: true, readyDelayMs: 200, ...options });
  for (const doc of parseAllDocuments(await readFile(SHOP_MANIFESTS, 'utf8'))) {
    const obj = doc.toJS() as KubeObject;
    if (obj.kind !== 'Namespace') server.apply(obj);
  }
  await waitFor(() => readyPods(server, 'cart').length === 3 && readyPods(server, 'web').length === 2 && readyPods(server, 'redis').length === 1, { what: 'the shop\'s pods Ready', timeoutMs: 20_000 });
  const { path: dir, cleanup } = await tempDir('faultline-k8s-');
  const base = (await readFile(join(repoRoot, 'examples', 'kubernetes', 'faultline.yaml'), 'utf8')).replace('kubernetes:\n', `kubernetes:\n  kubeconfig: ${server.kubeconfigPath}\n`);
  await writeFile(join(dir, 'faultline.yaml'), options.system ? options.system(base) : base);
  return {
    server,
    dir,
    env: { FAULTLINE_STATE_DIR: join(dir, '.faultline') },
    close: async () => {
      await server.close();
      await cleanup();
    },
  };
}

/** An experiment file in the shop's dir. */
export async function writeExperiment(shop: Shop, name: string, text: string): Promise<string> {
  await writeFile(join(shop.dir, name), text);
  return name;
}
