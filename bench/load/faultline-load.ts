// faultline's generator for the benchmark, as the CLI runs it: `faultline-load URL (-c N | --rate R) SECONDS`.
// Prints the --json summary. Bundled by bench.mjs with esbuild so it runs without a TypeScript loader.
import { loadSchema } from '../../src/experiment/schema/load.js';
import type { BuiltinLoadSpec } from '../../src/load/spec.js';
import { startLoad } from '../../src/load/start-load.js';
import { summarize } from '../../src/load/summary.js';

const [url, flag, value, seconds] = process.argv.slice(2);
const input = { url, duration: `${seconds}s`, ...(flag === '--rate' ? { rate: value } : { connections: Number(value) }) };
const spec = loadSchema.parse(input) as BuiltinLoadSpec;
const run = startLoad(spec);
await run.ended;
const record = await run.stop();
if (record.error) {
  process.stderr.write(`${record.error}\n`);
  process.exit(2);
}
process.stdout.write(`${JSON.stringify(summarize(spec, record, run.totals()!))}\n`);
