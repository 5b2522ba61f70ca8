import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../../errors/index.js';
import { ApiError, DEFAULT_API_LISTEN, startProxyServer, toxicTypes } from '../../proxy/index.js';

interface ProxyOptions {
  listen: string;
  config?: string;
  quiet?: boolean;
  workers: string;
}

export function registerProxy(program: Command, setExit: (code: number) => void): void {
  program
    .command('proxy')
    .description('Run the fault proxy as a standalone server with a Toxiproxy-compatible HTTP API, until Ctrl-C')
    .option('-l, --listen <host:port>', 'address of the HTTP API', DEFAULT_API_LISTEN)
    .option('-c, --config <file>', 'proxies to create at start: a JSON (or YAML) list of { name, listen, upstream, enabled }, as Toxiproxy\'s -config')
    .option('-q, --quiet', 'do not log proxies starting and stopping, or toxics expiring')
    .option('-w, --workers <n>', 'processes serving the proxies\' connections (the API stays in this one)', '1')
    .addHelpText(
      'after',
      `
The API is Toxiproxy's (GET/POST /proxies, POST /populate, /proxies/{name}/toxics, POST /reset,
GET /version), so Toxiproxy clients and Testcontainers setups work unchanged; plus GET /metrics
(Prometheus text) and POST /heartbeat (refreshes toxics created with a ttl).

Toxic types: ${Object.keys(toxicTypes).join(', ')}.

--workers N (default 1) serves every proxy's listener from N worker processes, for machines with
cores to spare: the kernel spreads new connections over them (SO_REUSEPORT on Node 22.12+; on
older Node the workers share one socket). The API stays in the main process: a proxy or toxic
created, changed or removed there is in force on every worker before the call answers. A worker
that dies is reported and restarted (its open connections are lost); more than 5 deaths within a
minute stop the server with exit 1. /metrics adds per-worker connection counts.

Examples:
  faultline proxy
  faultline proxy --listen 0.0.0.0:8474 --config proxies.json
  faultline proxy --workers 2
  curl -s -XPOST 127.0.0.1:8474/proxies -d '{"name":"pg","listen":"127.0.0.1:15432","upstream":"127.0.0.1:5432"}'
  curl -s -XPOST 127.0.0.1:8474/proxies/pg/toxics -d '{"type":"latency","attributes":{"latency":500}}'

Docs: docs/proxy.md.`,
    )
    .action(async (opts: ProxyOptions) => {
      const log = opts.quiet ? undefined : (m: string) => process.stdout.write(`${m}\n`);
      const workers = workerCount(opts.workers);
      const initial = opts.config ? await readConfig(opts.config) : undefined;
      const server = await startProxyServer({ listen: opts.listen, log, workers }).catch((err: Error) => {
        throw new UsageError(`faultline proxy: ${err.message}`, { cause: err });
      });
      try {
        if (initial) {
          await server.collection.populate(initial).catch((err: Error) => {
            throw new UsageError(`${opts.config}: ${err instanceof ApiError ? err.message : String(err)}`, { cause: err });
          });
        }
      } catch (err) {
        await server.close();
        throw err;
      }
      process.stdout.write(`faultline proxy: API on ${server.url} (Toxiproxy-compatible); Ctrl-C to stop\n`);
      let stop = (): void => undefined;
      const failure = await Promise.race([
        new Promise<undefined>((done) => {
          stop = () => done(undefined);
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        }),
        server.failed.catch((err: Error) => err),
      ]);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await server.close();
      if (failure) {
        process.stderr.write(`faultline proxy: ${failure.message}; stopped\n`);
        return setExit(1);
      }
      process.stdout.write('faultline proxy: stopped\n');
      setExit(0);
    });
}

function workerCount(text: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--workers ${text}: expected a whole number of processes, 1 or more`);
  return n;
}

async function readConfig(file: string): Promise<unknown> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`file not found: ${path}`, { cause: err });
  }
  try {
    const data: unknown = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
    if (!Array.isArray(data)) throw new Error('expected a list of proxies: [{ "name", "listen", "upstream" }]');
    return data;
  } catch (err) {
    throw new UsageError(`${path}: ${(err as Error).message}`, { cause: err });
  }
}
