/**
 * A compose service's `ports:` — short syntax ("80", "8080:80", "127.0.0.1:8080:80",
 * "[::1]:8080:80", "8000-8010:8000-8010", "53:53/udp") and long syntax
 * ({ target, published, host_ip, protocol, app_protocol }) — as port mappings.
 */
import type { DocPath } from '../experiment/loader/read-document.js';
import { fail, isRecord, shown, type MappingContext } from './context.js';

export interface PortMapping {
  /** The port inside the container (the first, for a range). */
  target: number;
  /** The last container port of a range ("8000-8002"); the same as target otherwise. */
  targetLast: number;
  /** The host port; undefined when Docker picks one at random (only the container port was given). */
  published?: number;
  /** The host address the port is bound to, when it is bound to one address only. */
  hostIp?: string;
  protocol: string;
  /** Long syntax `app_protocol` (e.g. http). */
  appProtocol?: string;
  /** The entry as written, for comments. */
  text: string;
  path: DocPath;
}

const EXPECTED = 'expected a port mapping such as "8080:80", "127.0.0.1:8080:80", "80" or { target: 80, published: 8080 }';

export function parsePorts(ctx: MappingContext, value: unknown, path: DocPath): PortMapping[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    fail(ctx, path, `expected a list of port mappings, got ${shown(value)}`);
    return [];
  }
  const out: PortMapping[] = [];
  value.forEach((entry, i) => {
    const at = [...path, i];
    const mapping = typeof entry === 'string' || typeof entry === 'number' ? shortSyntax(String(entry), at) : isRecord(entry) ? longSyntax(ctx, entry, at) : undefined;
    if (mapping === undefined) {
      if (!isRecord(entry)) fail(ctx, at, `${EXPECTED}, got ${shown(entry)}`);
      return;
    }
    if (mapping === 'invalid') fail(ctx, at, `${EXPECTED}, got ${shown(entry)}`);
    else out.push(mapping);
  });
  return out;
}

function shortSyntax(text: string, path: DocPath): PortMapping | 'invalid' {
  let rest = text.trim();
  let protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    protocol = rest.slice(slash + 1).toLowerCase();
    rest = rest.slice(0, slash);
    if (!['tcp', 'udp', 'sctp'].includes(protocol)) return 'invalid';
  }
  const lastColon = rest.lastIndexOf(':');
  const targetText = rest.slice(lastColon + 1);
  const before = lastColon >= 0 ? rest.slice(0, lastColon) : undefined;
  let publishedText: string | undefined;
  let hostIp: string | undefined;
  if (before !== undefined) {
    const colon = before.lastIndexOf(':');
    publishedText = before.slice(colon + 1);
    if (colon >= 0) hostIp = before.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    if (colon >= 0 && !hostIp) return 'invalid';
  }
  const range = portRange(targetText);
  if (range === undefined) return 'invalid';
  const [target, targetLast] = range;
  let published: number | undefined;
  if (publishedText !== undefined && publishedText !== '') {
    published = portOrRange(publishedText);
    if (published === undefined) return 'invalid';
  }
  return withOptional({ target, targetLast, protocol, text, path }, published, hostIp);
}

function longSyntax(ctx: MappingContext, entry: Record<string, unknown>, path: DocPath): PortMapping | 'invalid' | undefined {
  const range = typeof entry.target === 'number' || typeof entry.target === 'string' ? portRange(String(entry.target)) : undefined;
  if (range === undefined) {
    fail(ctx, [...path, 'target'], `expected the container port (a number from 1 to 65535), got ${shown(entry.target)}`);
    return undefined;
  }
  const [target, targetLast] = range;
  let published: number | undefined;
  if (entry.published !== undefined && entry.published !== null && entry.published !== '') {
    published = typeof entry.published === 'number' || typeof entry.published === 'string' ? portOrRange(String(entry.published)) : undefined;
    if (published === undefined) {
      fail(ctx, [...path, 'published'], `expected the host port (a number from 1 to 65535, or a range such as "8000-8010"), got ${shown(entry.published)}`);
      return undefined;
    }
  }
  const protocol = typeof entry.protocol === 'string' ? entry.protocol.toLowerCase() : 'tcp';
  const hostIp = typeof entry.host_ip === 'string' && entry.host_ip ? entry.host_ip : undefined;
  const text = `${hostIp ? `${hostIp}:` : ''}${published ?? ''}${published !== undefined ? ':' : ''}${target}${protocol === 'tcp' ? '' : `/${protocol}`}`;
  const mapping = withOptional({ target, targetLast, protocol, text, path }, published, hostIp);
  if (typeof entry.app_protocol === 'string') mapping.appProtocol = entry.app_protocol.toLowerCase();
  return mapping;
}

function withOptional(base: PortMapping, published: number | undefined, hostIp: string | undefined): PortMapping {
  return { ...base, ...(published !== undefined ? { published } : {}), ...(hostIp !== undefined ? { hostIp } : {}) };
}

/** "8080" → 8080; "8000-8010" → 8000 (the first port of a range). */
function portOrRange(text: string): number | undefined {
  return portRange(text)?.[0];
}

/** "8080" → [8080, 8080]; "8000-8010" → [8000, 8010]. */
function portRange(text: string): [number, number] | undefined {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text.trim());
  if (!m) return undefined;
  const first = Number(m[1]);
  const last = m[2] !== undefined ? Number(m[2]) : first;
  return first >= 1 && first <= 65535 && last >= first && last <= 65535 ? [first, last] : undefined;
}

/** The address to probe a published port on: its host_ip when bound to one address, else 127.0.0.1. */
export function probeHost(mapping: PortMapping): string {
  const ip = mapping.hostIp;
  if (!ip || ip === '0.0.0.0' || ip === '::' || ip === '[::]') return '127.0.0.1';
  return ip.includes(':') ? `[${ip}]` : ip;
}
