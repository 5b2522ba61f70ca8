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
}

export function registerProxy(program: Command, setExit: (code: number) => void): void {
  program
    .command('proxy')
    .description('Run the fault proxy as a standalone server with a Toxiproxy-compatible HTTP API, until Ctrl-C')
    .option('-l, --listen <host:port>', 'address of the HTTP API', DEFAULT_API_LISTEN)
    .option('-c, --config <file>', 'proxies to create at start: a JSON (or YAML) list of { name, listen, upstream, enabled }, as Toxiproxy\'s -config')
    .option('-q, --quiet', 'do not log proxies starting and stopping, or toxics expiring')
    .addHelpText(
      'after',
      `
The API is Toxiproxy's (GET/POST /proxies, POST /populate, /proxies/{name}/toxics, POST /reset,
GET /version), so Toxiproxy clients and Testcontainers setups work unchanged; plus GET /metrics
(Prometheus text) and POST /heartbeat (refreshes toxics created with a ttl).

Toxic types: ${Object.keys(toxicTypes).join(', ')}.

Examples:
  faultline proxy
  faultline proxy --listen 0.0.0.0:8474 --config proxies.json
  curl -s -XPOST 127.0.0.1:8474/proxies -d '{"name":"pg","listen":"127.0.0.1:15432","upstream":"127.0.0.1:5432"}'
  curl -s -XPOST 127.0.0.1:8474/proxies/pg/toxics -d '{"type":"latency","attributes":{"latency":500}}'

Docs: docs/proxy.md.`,
    )
    .action(async (opts: ProxyOptions) => {
      const log = opts.quiet ? undefined : (m: string) => process.stdout.write(`${m}\n`);
      const initial = opts.config ? await readConfig(opts.config) : undefined;
      const server = await startProxyServer({ listen: opts.listen, log }).catch((err: Error) => {
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
      await new Promise<void>((done) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          done();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await server.close();
      process.stdout.write('faultline proxy: stopped\n');
      setExit(0);
    });
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
