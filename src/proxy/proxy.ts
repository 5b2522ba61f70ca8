/**
 * One proxy: a listener, its connections, and its toxics. Toxics added, updated or removed apply
 * to the connections already open as well as to new ones.
 */
import { parseHostPort, resolveHost } from './address.js';
import { Connection, type ConnectionHost } from './connection.js';
import { connectTcp, formatHostPort, listenTcp, type Endpoint, type Listener, type ListenShare, type Transport } from './endpoint.js';
import type { ByteCounter } from './link.js';
import { hits, type Toxic } from './toxic.js';
import { announceTransport, proxyTransport } from './transport.js';

export interface ProxyConfig {
  name: string;
  /** `host:port`; port 0 picks a free port (the proxy's `listen` then shows it). */
  listen: string;
  upstream: string;
}

export interface ProxyOptions {
  /** Default: the process's choice (transport.ts: raw handles when they pass their self-test). */
  transport?: Transport;
  log?: (message: string) => void;
  /** `faultline proxy --workers N`, in the primary: the listeners and connections are the workers'; this Proxy is the API's record, and tells them every change. */
  workers?: ProxyWorkers;
  /** In a worker: a copy of the primary's proxy, so its start and stop are not logged again. */
  replica?: boolean;
}

/** What a Proxy in the primary asks of the worker processes (workers/pool.ts). */
export interface ProxyWorkers {
  /** Every worker listens (rejects with ListenError, and then none does); resolves with the address settled. */
  listen(proxy: Proxy, ip: string, port: number): Promise<{ host: string; port: number }>;
  unlisten(proxy: Proxy): void;
  /** Its toxics (or upstream) changed. */
  changed(proxy: Proxy): void;
  /** Deleted: the workers drop their copy. */
  forget(proxy: Proxy): void;
  /** Resolves once every worker has applied every change told so far. */
  flush(): Promise<void>;
}

export interface ProxyStats {
  accepted: number;
  refused: number;
  upstreamFailures: number;
}

/** How long a resolved upstream host name is reused before it is looked up again. */
const UPSTREAM_TTL_MS = 1000;

let nextId = 1;

export class Proxy implements ConnectionHost {
  /** Unique in this process: tells a proxy from a later one of the same name. */
  readonly id = nextId++;
  readonly name: string;
  listen: string;
  upstream: string;
  enabled = false;
  readonly toxics: Toxic[] = [];
  readonly up: ByteCounter = { bytes: 0 };
  readonly down: ByteCounter = { bytes: 0 };
  readonly stats: ProxyStats = { accepted: 0, refused: 0, upstreamFailures: 0 };
  private listener: Listener | undefined;
  private readonly conns = new Set<Connection>();
  private resolved: { ip: string; port: number; at: number; for: string } | undefined;
  /** Connections refused by the upstream since it last answered; undefined while it answers. */
  private upstreamDown: number | undefined;
  private chosen: Transport | undefined;
  /** With workers: their open connections, as last counted (the primary's own set is empty). */
  remoteConnections = 0;

  constructor(
    config: ProxyConfig,
    private readonly options: ProxyOptions = {},
  ) {
    this.name = config.name;
    this.listen = config.listen;
    this.upstream = config.upstream;
    parseHostPort(config.upstream, 'upstream');
    parseHostPort(config.listen, 'listen');
  }

  /** The TCP transport, once the proxy has started. */
  get transport(): Transport | undefined {
    return this.chosen;
  }

  get connections(): number {
    return this.conns.size + this.remoteConnections;
  }

  /** Starts listening. Rejects (ListenError) when the address is taken; nothing is left listening then. */
  async start(share?: ListenShare): Promise<void> {
    if (this.enabled) return;
    this.chosen ??= this.options.transport ?? (await this.processTransport());
    const { host, port } = parseHostPort(this.listen, 'listen');
    const ip = await resolveHost(host, true);
    const workers = this.options.workers;
    if (workers) {
      const at = await workers.listen(this, ip, port);
      this.listener = { ...at, close: () => workers.unlisten(this) };
    } else {
      this.listener = await listenTcp(ip, port, (ep) => this.accept(ep), this.chosen, share);
    }
    this.listen = formatHostPort(this.listener.host, this.listener.port);
    this.enabled = true;
    if (!this.options.replica) this.options.log?.(`proxy ${this.name} listening on ${this.listen}, upstream ${this.upstream}`);
  }

  private async processTransport(): Promise<Transport> {
    const choice = await proxyTransport();
    announceTransport(choice, this.options.log);
    return choice.transport;
  }

  /** Stops listening and closes every connection. The toxics stay. */
  stop(): void {
    this.listener?.close();
    this.listener = undefined;
    if (this.enabled && !this.options.replica) this.options.log?.(`proxy ${this.name} stopped`);
    this.enabled = false;
    for (const conn of [...this.conns]) conn.close('fin');
  }

  hasHttpToxics(): boolean {
    return this.toxics.some((t) => t.def.scope === 'http');
  }

  toxic(name: string): Toxic | undefined {
    return this.toxics.find((t) => t.name === name);
  }

  addToxic(toxic: Toxic): void {
    this.toxics.push(toxic);
    for (const conn of [...this.conns]) conn.apply(toxic);
    this.options.workers?.changed(this);
  }

  removeToxic(toxic: Toxic): boolean {
    const i = this.toxics.indexOf(toxic);
    if (i < 0) return false;
    this.toxics.splice(i, 1);
    for (const conn of [...this.conns]) conn.remove(toxic);
    this.options.workers?.changed(this);
    return true;
  }

  updateToxic(toxic: Toxic, attributes: object, toxicity: number): void {
    const toxicityChanged = toxicity !== toxic.toxicity;
    toxic.attributes = attributes;
    toxic.toxicity = toxicity;
    for (const conn of [...this.conns]) conn.update(toxic, toxicityChanged);
    this.options.workers?.changed(this);
  }

  removeAllToxics(): void {
    for (const toxic of [...this.toxics]) this.removeToxic(toxic);
  }

  /** The proxy is deleted (after stop()): workers drop their copy. */
  dispose(): void {
    this.options.workers?.forget(this);
  }

  connectionClosed(conn: Connection): void {
    this.conns.delete(conn);
  }

  private accept(client: Endpoint): void {
    this.stats.accepted++;
    for (const t of this.toxics) {
      if (t.def.refusesNew && hits(t.toxicity)) {
        this.stats.refused++;
        return client.reset();
      }
    }
    const conn = new Connection(this, client);
    this.conns.add(conn);
    const r = this.resolved;
    if (r && r.for === this.upstream && performance.now() - r.at < UPSTREAM_TTL_MS) return this.dial(conn, r.ip, r.port);
    const upstream = this.upstream;
    const { host, port } = parseHostPort(upstream, 'upstream');
    resolveHost(host, false).then(
      (ip) => {
        this.resolved = { ip, port, at: performance.now(), for: upstream };
        this.dial(conn, ip, port);
      },
      (err: Error) => {
        this.stats.upstreamFailures++;
        this.options.log?.(`proxy ${this.name}: cannot resolve upstream ${upstream}: ${err.message}`);
        conn.close('fin');
      },
    );
  }

  private dial(conn: Connection, ip: string, port: number): void {
    if (conn.closed) return;
    connectTcp(
      ip,
      port,
      (err, upstream) => {
        if (err !== undefined || !upstream) {
          this.stats.upstreamFailures++;
          // One line per outage, not one per connection: a dead upstream under load is thousands.
          if (this.upstreamDown === undefined) this.options.log?.(`proxy ${this.name}: upstream ${this.upstream}: ${err} (said once until it answers again)`);
          this.upstreamDown = (this.upstreamDown ?? 0) + 1;
          return conn.close('fin');
        }
        if (this.upstreamDown !== undefined) {
          this.options.log?.(`proxy ${this.name}: upstream ${this.upstream} answers again (${this.upstreamDown} connection${this.upstreamDown === 1 ? '' : 's'} failed meanwhile)`);
          this.upstreamDown = undefined;
        }
        if (conn.closed) return upstream.close();
        conn.attach(upstream);
      },
      this.chosen!,
    );
  }
}
