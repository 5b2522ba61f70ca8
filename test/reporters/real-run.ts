/**
 * One real run for the report tests: four real processes with real dependencies (store ← cart ←
 * gateway; billing calls store without declaring it; audit, critical, declares store but does not
 * call it),
 * store killed and restarted by its supervisor. Then the journal gets its system graph and
 * analysis the way the runner's report phase fills them.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeJournal, systemGraph } from '../../src/analysis/index.js';
import { faultRegistry } from '../../src/drivers/index.js';
import { loadExperiment } from '../../src/experiment/loader/load-experiment.js';
import { runExperiment } from '../../src/experiment/runner/run-experiment.js';
import type { Journal } from '../../src/journal/types.js';
import type { Reporter } from '../../src/reporters/types.js';
import { freePort } from '../helpers/cli.js';

export const depService = fileURLToPath(new URL('./fixtures/dep-service.mjs', import.meta.url));

export interface ShopPorts {
  store: number;
  cart: number;
  gateway: number;
  billing: number;
  audit: number;
}

/** Writes faultline.yaml for the shop into dir; `storeRestartDelay` in ms. */
export async function writeShopSystem(dir: string, ports: ShopPorts, storeRestartDelay = 400): Promise<string> {
  const url = (p: number) => `http://127.0.0.1:${p}/`;
  const svc = (name: keyof ShopPorts, upstreams: number[], extra: string, restart = '{ policy: always, delay: 300ms }') => `  ${name}:
    process:
      command: ["${process.execPath}", "${depService}"]
      env: { PORT: "${ports[name]}", UPSTREAMS: "${upstreams.map(url).join(',')}" }
      restart: ${restart}
    health: { http: "${url(ports[name])}", timeout: 1500ms }
${extra}`;
  const file = join(dir, 'faultline.yaml');
  await writeFile(
    file,
    `probeInterval: 100ms
services:
${svc('store', [], '', `{ policy: always, delay: ${storeRestartDelay}ms }`)}${svc('cart', [ports.store], '    dependsOn: [store]\n')}${svc('gateway', [ports.cart], '    dependsOn: [cart]\n')}${svc('billing', [ports.store], '')}${svc('audit', [], '    dependsOn: [store]\n    critical: true\n')}`,
  );
  return file;
}

export async function shopPorts(): Promise<ShopPorts> {
  return { store: await freePort(), cart: await freePort(), gateway: await freePort(), billing: await freePort(), audit: await freePort() };
}

/** Kill store; the gateway must answer throughout (it cannot: the run deviates); recovery within 5 s. */
export function killStoreExperiment(ports: ShopPorts, title = 'Store outage'): string {
  return `title: ${title}
system: ./faultline.yaml
hypothesis:
  probes:
    - { name: gateway answers, http: "http://127.0.0.1:${ports.gateway}/", timeout: 1500ms, throughout: true }
    - { name: audit answers, http: "http://127.0.0.1:${ports.audit}/", timeout: 1500ms }
method:
  - { fault: kill, target: store }
  - wait: 300ms
recovery: { within: 5s, sustained: 3 }
`;
}

/** Runs an experiment file in-process, as the runner does for `faultline run`, and fills system + analysis. */
export async function runReal(file: string, stateDir: string, reporters: Reporter[] = []): Promise<Journal> {
  const kinds = faultRegistry();
  const loaded = await loadExperiment(file, { kinds });
  const journal = await runExperiment(loaded, { kinds, stateDir, reporters });
  // What the lead wires into the runner's report phase (a no-op once the runner does it).
  journal.system ??= systemGraph(loaded.system.system.services);
  journal.analysis ??= analyzeJournal(journal);
  return journal;
}
