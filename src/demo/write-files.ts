/**
 * Writes the demo shop's system file and suite into a directory, to run them by hand:
 *
 *   node dist/demo/write-files.js DIR [--fragile] [--base-port 17300] [--quick | --extended] [--unavailable] [--direct]
 *   node bin/faultline.js run DIR/service-kill.yaml        # starts the shop, runs, stops it
 *   node bin/faultline.js up --system DIR/faultline.yaml   # or keep the shop running
 *
 * The store's data goes to DIR/data. `--quick`: the quick subset; `--extended`: every experiment,
 * not only the default run's; `--unavailable`: also those this faultline cannot run yet; `--direct`:
 * services call each other directly, not through faultline proxies (which only a run starts).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { writeShopFiles } from './files.js';
import { DEFAULT_BASE_PORT } from './shop/topology.js';

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      fragile: { type: 'boolean' },
      'base-port': { type: 'string' },
      quick: { type: 'boolean' },
      extended: { type: 'boolean' },
      unavailable: { type: 'boolean' },
      direct: { type: 'boolean' },
    },
  });
  const basePort = Number(values['base-port'] ?? DEFAULT_BASE_PORT);
  if (positionals.length !== 1 || !Number.isInteger(basePort) || basePort < 1024 || basePort > 65_000 || (values.quick && values.extended)) {
    console.error('usage: write-files.js DIR [--fragile] [--base-port N (1024-65000)] [--quick | --extended] [--unavailable] [--direct]');
    return 2;
  }
  const dir = resolve(positionals[0]!);
  const files = await writeShopFiles(dir, {
    mode: values.fragile ? 'fragile' : 'resilient',
    basePort,
    dataDir: resolve(dir, 'data'),
    set: values.quick ? 'quick' : values.extended ? 'all' : 'default',
    include: values.unavailable ? 'all' : 'available',
    ...(values.direct ? { proxies: false } : {}),
  });
  console.log(`system: ${files.systemFile}`);
  for (const { entry, file } of files.experiments) console.log(`${file}\n    ${entry.shows}`);
  for (const { entry, missing } of files.skipped) console.log(`skipped ${entry.name}: needs ${missing.join(' and ')}`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    },
  );
}
