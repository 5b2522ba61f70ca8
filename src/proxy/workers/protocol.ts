/**
 * The messages between `faultline proxy --workers N`'s primary (the API, the one authoritative
 * list of proxies and toxics) and its worker processes (the listeners and connections). The
 * primary sends a proxy's whole state after every change (`sync`); a worker reconciles its copy
 * to it and acknowledges, so an API call returns only once every worker applies the change, and a
 * restarted worker is brought up to date with one sync per proxy.
 */
import type { Transport } from '../endpoint.js';
import type { Direction } from '../stage.js';

/** How the workers share a listening port (sharing.ts). */
export type Sharing = 'reuseport' | 'handle';

export interface WireToxic {
  name: string;
  type: string;
  stream: Direction;
  toxicity: number;
  attributes: object;
}

export interface ProxySnapshot {
  /** The primary's Proxy object (a proxy deleted and created again under its name is a new id). */
  id: number;
  name: string;
  upstream: string;
  /** Where to listen (the port the primary settled), or null: not listening. */
  listen: { host: string; port: number } | null;
  toxics: WireToxic[];
}

export interface WorkerCounters {
  id: number;
  accepted: number;
  refused: number;
  upstreamFailures: number;
  up: number;
  down: number;
  connections: number;
}

export type ToWorker =
  | { op: 'init'; transport: Transport; sharing: Sharing; index: number }
  /** With sharing 'handle', the bound listening handle comes with the first sync that listens. */
  | { op: 'sync'; seq: number; proxy: ProxySnapshot }
  | { op: 'forget'; seq: number; id: number }
  | { op: 'stats'; seq: number }
  | { op: 'exit' };

export type FromWorker =
  | { op: 'ready' }
  | { op: 'ack'; seq: number; error?: { code: string; message: string } }
  | { op: 'stats'; seq: number; proxies: WorkerCounters[] }
  | { op: 'log'; message: string };
