/**
 * One proxied connection: the client's socket, the upstream socket, and a link each way. It ends
 * when both directions have ended (FIN delivered after every byte), when either socket fails, or
 * when a toxic closes it.
 */
import type { Endpoint, EndpointHandler } from './endpoint.js';
import { HttpExchange } from './http/exchange.js';
import { Link, type ByteCounter, type LinkOwner } from './link.js';
import type { CloseMode, LinkControl, Stage } from './stage.js';
import { hits, type ConnectionControl, type Toxic } from './toxic.js';

/** What a connection needs from its proxy. */
export interface ConnectionHost {
  readonly up: ByteCounter;
  readonly down: ByteCounter;
  readonly toxics: readonly Toxic[];
  hasHttpToxics(): boolean;
  connectionClosed(conn: Connection): void;
}

/** After a graceful close is asked for, how long queued bytes may take to go out. */
const FIN_GRACE_MS = 2000;

export class Connection implements LinkOwner, ConnectionControl {
  closed = false;
  up: Link | undefined;
  down: Link | undefined;
  private upstream: Endpoint | undefined;
  /** Directions whose end reached the link's output. */
  private ending = 0;
  /** Directions whose FIN went out. */
  private ended = 0;
  private http: HttpExchange | undefined;
  /** Bytes may have passed: HTTP parsing must find a message start instead of starting at byte 0. */
  private started = false;

  constructor(
    private readonly host: ConnectionHost,
    readonly client: Endpoint,
  ) {}

  /** The upstream socket is connected: wire the links, apply the proxy's toxics, start reading. */
  attach(upstream: Endpoint): void {
    this.upstream = upstream;
    this.client.setNoDelay();
    upstream.setNoDelay();
    const up = (this.up = new Link(this, this.client, upstream, 'upstream', this.host.up));
    const down = (this.down = new Link(this, upstream, this.client, 'downstream', this.host.down));
    this.client.handler = new Side(up, down, this);
    upstream.handler = new Side(down, up, this);
    for (const toxic of this.host.toxics) this.apply(toxic);
    if (this.closed) return;
    this.started = true;
    up.start();
    down.start();
  }

  /** A toxic was added to the proxy (or the connection is new). */
  apply(toxic: Toxic): void {
    if (this.closed || !this.up || !this.down) return;
    const def = toxic.def;
    if (def.scope === 'http') return this.ensureHttp();
    if (!hits(toxic.toxicity)) return;
    if (def.scope === 'connection') return def.connection?.(toxic, this);
    const link = toxic.stream === 'upstream' ? this.up : this.down;
    if (def.stage) link.addStage(def.stage(toxic, link));
  }

  /** A toxic was removed from the proxy. */
  remove(toxic: Toxic): void {
    if (this.closed || !this.up || !this.down) return;
    if (toxic.def.scope === 'http') {
      if (!this.host.hasHttpToxics()) this.http?.retire();
      return;
    }
    this.up.removeStage(toxic);
    this.down.removeStage(toxic);
  }

  /** A toxic's attributes (and maybe toxicity) changed. */
  update(toxic: Toxic, toxicityChanged: boolean): void {
    if (this.closed || !this.up || !this.down || toxic.def.scope === 'http') return;
    const stages = [this.up.stageFor(toxic), this.down.stageFor(toxic)].filter((s) => s !== undefined);
    if (!toxicityChanged || toxic.def.scope === 'connection') {
      for (const s of stages) s.update();
      return;
    }
    this.remove(toxic);
    this.apply(toxic);
  }

  addStages(toxic: Toxic, make: (link: LinkControl) => Stage): void {
    if (!this.up || !this.down) return;
    this.up.addStage(make(this.up));
    this.down.addStage(make(this.down));
  }

  private ensureHttp(): void {
    if (this.http && !this.http.gone) return this.http.revive();
    this.http = new HttpExchange(this.host, this.up!, this.down!, !this.started);
  }

  endLink(dst: Endpoint): void {
    if (this.closed) return;
    // The second direction to end, with nothing queued: a plain close sends the FIN (and saves a
    // shutdown round through the event loop per connection).
    if (++this.ending === 2 && !this.client.busy && !this.upstream?.busy) {
      this.ended = 2;
      return this.close('fin');
    }
    dst.end(() => this.halfClosed());
  }

  private halfClosed(): void {
    if (!this.closed && ++this.ended === 2) this.close('fin');
  }

  /** A socket failed: the other one is reset (a reset is passed on) or closed. */
  onError(code: string): void {
    this.close(code === 'ECONNRESET' ? 'reset' : 'fin');
  }

  close(how: CloseMode): void {
    if (this.closed) return;
    this.closed = true;
    this.up?.dispose();
    this.down?.dispose();
    const ends = this.upstream ? [this.client, this.upstream] : [this.client];
    if (how === 'reset' || this.ended === 2) {
      for (const ep of ends) {
        if (how === 'reset') ep.reset();
        else ep.close();
      }
    } else {
      // FIN after what is already queued (a toxic's last bytes), then close; never wait forever.
      let left = ends.length;
      const timer = setTimeout(() => ends.forEach((ep) => ep.close()), FIN_GRACE_MS);
      timer.unref();
      for (const ep of ends) {
        ep.readStop();
        ep.end(() => {
          ep.close();
          if (--left === 0) clearTimeout(timer);
        });
      }
    }
    this.host.connectionClosed(this);
  }
}

/** Routes one socket's events: reads to the link it feeds, drains to the link that writes to it. */
class Side implements EndpointHandler {
  constructor(
    private readonly reader: Link,
    private readonly writer: Link,
    private readonly conn: Connection,
  ) {}

  onData(chunk: Uint8Array): void {
    this.reader.onData(chunk);
  }

  onEnd(): void {
    this.reader.onEnd();
  }

  onDrain(): void {
    this.writer.onDrain();
  }

  onError(code: string): void {
    this.conn.onError(code);
  }
}
