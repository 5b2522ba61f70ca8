/**
 * What the linux faults act on: one target per service — its processes (resource faults, and
 * the network namespace they live in) and how it is reached on the network (ports, addresses).
 */
import type { FaultTarget } from '../../faults/types.js';

export interface LinuxProcess {
  pid: number;
  startTicks: number;
}

export interface LinuxTarget extends FaultTarget {
  /** The service's processes (empty for a watch-only endpoint or a `host:port` target). */
  processes: LinuxProcess[];
  /** Where a watch-only service is reached: its host and the addresses that host resolved to. */
  endpoint?: { host: string; port?: number; addresses: string[] };
  /** Ports the service listens on (its `ports:`, else the port of its endpoint or health check). */
  ports: number[];
}

export interface Endpoint {
  host: string;
  port?: number;
}

/** `host:port`, `[::1]:5432`, `tcp://host:port`, `http://host/…` (port 80), `https://…` (443), or a bare host. */
export function parseEndpoint(text: string): Endpoint | undefined {
  const trimmed = text.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      return undefined;
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!host) return undefined;
    const port = url.port ? Number(url.port) : ({ 'http:': 80, 'https:': 443 } as Record<string, number>)[url.protocol];
    return port === undefined ? { host } : { host, port };
  }
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/i.exec(trimmed);
  if (bracketed) return withPort(bracketed[1]!, bracketed[2]);
  const hostPort = /^([^:\s/]+)(?::(\d{1,5}))?$/.exec(trimmed);
  if (hostPort) return withPort(hostPort[1]!, hostPort[2]);
  return undefined;
}

function withPort(host: string, port: string | undefined): Endpoint | undefined {
  if (port === undefined) return { host };
  const n = Number(port);
  return n >= 1 && n <= 65535 ? { host, port: n } : undefined;
}

/** The ports a service listens on: `ports:` when given, else the port its health check calls. */
export function servicePorts(config: Readonly<Record<string, unknown>>): number[] {
  const declared = config.ports;
  if (Array.isArray(declared) && declared.every((p) => typeof p === 'number')) return [...new Set(declared as number[])];
  const health = config.health as { http?: string | { url: string }; tcp?: string } | undefined;
  const call = typeof health?.http === 'string' ? health.http : health?.http?.url ?? (health?.tcp !== undefined ? `tcp://${health.tcp}` : undefined);
  const port = call === undefined ? undefined : parseEndpoint(call)?.port;
  return port === undefined ? [] : [port];
}

export const PROCESS_KEYS = ['process', 'pid', 'pidFile', 'match'] as const;

export function hasProcesses(config: Readonly<Record<string, unknown>>): boolean {
  // Docker services too: their processes are their containers' (the docker driver answers processesOf).
  return PROCESS_KEYS.some((k) => config[k] !== undefined) || ['container', 'compose', 'swarm'].some((k) => config[k] !== undefined);
}

export function describeProcesses(service: string, processes: readonly LinuxProcess[]): string {
  if (processes.length === 0) return service;
  const pids = processes.map((p) => p.pid);
  return `${service} (pid${pids.length > 1 ? 's' : ''} ${pids.length > 4 ? `${pids.slice(0, 4).join(', ')}, …` : pids.join(', ')})`;
}
