/**
 * A small real experiment for the exporter's tests: one process (test/fixtures/service.mjs) that
 * the run starts, paused for `holdMs` under a built-in load and a hypothesis probe, with a wait
 * before and after the fault so a 1 s scrape sees each state.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, repoRoot } from '../helpers/cli.js';

export const SERVICE = join(repoRoot, 'test/fixtures/service.mjs');

export interface HeldFaultFiles {
  experiment: string;
  port: number;
}

/** Writes faultline.yaml and `<name>.yaml` into dir. */
export async function writeHeldFault(dir: string, o: { name?: string; holdMs?: number; waitBeforeMs?: number; waitAfterMs?: number } = {}): Promise<HeldFaultFiles> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  await writeFile(
    join(dir, 'faultline.yaml'),
    `probeInterval: 100ms
services:
  api:
    process: { command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(SERVICE)}], env: { PORT: "${port}" } }
    health: { http: "${url}", timeout: 300ms }
`,
  );
  const experiment = join(dir, `${o.name ?? 'held-pause'}.yaml`);
  await writeFile(
    experiment,
    `title: Pause api under load
system: ./faultline.yaml
load: { url: "${url}", rate: 20/s, timeout: 500ms, interval: 1s }
hypothesis:
  probes:
    - { name: api answers, http: "${url}", timeout: 300ms }
method:
  - wait: ${o.waitBeforeMs ?? 0}ms
  - { fault: pause, target: api, duration: ${o.holdMs ?? 1500}ms }
  - wait: ${o.waitAfterMs ?? 0}ms
recovery: { within: 10s, sustained: 2 }
`,
  );
  return { experiment, port };
}
