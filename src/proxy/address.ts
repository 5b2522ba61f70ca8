/** `host:port` as the API and system files write it: `127.0.0.1:8474`, `localhost:0`, `[::1]:80`, `:8080` (every interface), `8080` (loopback). */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export interface HostPort {
  host: string;
  port: number;
}

export function parseHostPort(text: string, what = 'address'): HostPort {
  const value = text.trim();
  let host: string;
  let portText: string;
  const bracket = /^\[([^\]]+)\]:(\d+)$/.exec(value);
  if (bracket) [, host, portText] = bracket as unknown as [string, string, string];
  else if (/^\d+$/.test(value)) [host, portText] = ['127.0.0.1', value];
  else {
    const colon = value.lastIndexOf(':');
    if (colon < 0) throw new Error(`${what} ${JSON.stringify(text)}: expected host:port`);
    host = value.slice(0, colon);
    portText = value.slice(colon + 1);
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new Error(`${what} ${JSON.stringify(text)}: bad port ${JSON.stringify(portText)}`);
  return { host, port };
}

/** An IP address to bind or connect to. `''` means every interface; `localhost` is 127.0.0.1. */
export async function resolveHost(host: string, forListen: boolean): Promise<string> {
  if (host === '' || host === '*') return forListen ? '0.0.0.0' : '127.0.0.1';
  if (isIP(host)) return host;
  if (host === 'localhost') return '127.0.0.1';
  const { address } = await lookup(host, { family: 0, verbatim: false });
  return address;
}
