/**
 * The HTTP toxics of one connection. A request stage heads the upstream chain and a response
 * stage heads the downstream chain; both follow HTTP/1.1 framing so keep-alive and pipelining go
 * on working:
 *
 * - `http_error`: the request (head and body) is taken out of the stream and answered by the
 *   proxy; the answer goes into the response stream at the request's place in order (after the
 *   responses to earlier requests), so pipelined clients see responses in order;
 * - `http_delay`: the request, and everything after it, waits before going upstream;
 * - `http_abort`: the response is cut mid-body and the connection closed.
 *
 * `toxicity` is the share of requests (or responses) a toxic hits. The stages exist while the
 * proxy has HTTP toxics; when the last one goes, they finish what they started (a request being
 * swallowed, answers still owed) and leave the chain.
 *
 * A connection open before the first HTTP toxic was added is picked up at the next chunk that
 * starts a request (and, on the way back, a response): mid-message bytes pass untouched.
 */
import { performance } from 'node:perf_hooks';
import type { Link } from '../link.js';
import { ChunkQueue, PreciseTimer, Stage } from '../stage.js';
import { hits, type Toxic, type ToxicType } from '../toxic.js';
import { abortPoint } from '../toxics/http-abort.js';
import { requestDelay } from '../toxics/http-delay.js';
import { errorResponse } from '../toxics/http-error.js';
import {
  BodyReader,
  HeadReader,
  keepsAlive,
  looksLikeRequestStart,
  looksLikeResponseStart,
  parseHead,
  requestFraming,
  responseFraming,
  startsTunnel,
  type MessageHead,
} from './parser.js';

export interface HttpHost {
  readonly toxics: readonly Toxic[];
}

/** One request the response side owes an answer to, in order. */
interface Owed {
  method: string;
  /** Set when the proxy answers it itself. */
  answer?: Uint8Array;
  /** Close the connection after the answer. */
  close?: boolean;
  tunnel?: boolean;
}

type Mode = 'sync' | 'head' | 'body' | 'tunnel' | 'bypass' | 'closing';

/** Stands in for "the HTTP stages" where a Stage needs a toxic: it matches no real toxic. */
const HTTP_STAGES: Toxic = {
  name: '(http)',
  type: '(http)',
  stream: 'upstream',
  toxicity: 1,
  attributes: {},
  def: { type: '(http)', scope: 'http', summary: '', attributes: undefined as unknown as ToxicType['attributes'] },
};

export class HttpExchange {
  readonly owed: Owed[] = [];
  retiring = false;
  private requests: RequestStage | undefined;
  private responses: ResponseStage | undefined;

  constructor(
    private readonly host: HttpHost,
    private readonly up: Link,
    private readonly down: Link,
    fromStart: boolean,
  ) {
    this.requests = new RequestStage(this, up, fromStart);
    this.responses = new ResponseStage(this, down, fromStart);
    up.addStage(this.requests, true);
    down.addStage(this.responses, true);
  }

  /** Both stages have left: a new exchange is needed for new HTTP toxics. */
  get gone(): boolean {
    return this.requests === undefined && this.responses === undefined;
  }

  toxics(type: string): Toxic[] {
    if (this.retiring) return [];
    return this.host.toxics.filter((t) => t.type === type);
  }

  /** The proxy has no HTTP toxic left. */
  retire(): void {
    this.retiring = true;
    this.requests?.retire();
    this.responses?.retire();
  }

  /** An HTTP toxic came back before the stages left. */
  revive(): void {
    this.retiring = false;
    if (!this.requests) {
      this.requests = new RequestStage(this, this.up, false);
      this.up.addStage(this.requests, true);
    }
    this.responses?.revive();
  }

  answerQueued(): void {
    this.responses?.pump();
  }

  left(stage: Stage): void {
    if (stage === this.requests) this.requests = undefined;
    if (stage === this.responses) this.responses = undefined;
  }
}

class RequestStage extends Stage {
  private mode: Mode;
  private readonly head = new HeadReader();
  private readonly body = new BodyReader();
  private swallowing = false;
  private tunnelAfter = false;
  private holding = false;
  private heldHead: Uint8Array | undefined;
  private readonly pending = new ChunkQueue();
  private readonly timer = new PreciseTimer(() => this.resume());

  constructor(
    private readonly ex: HttpExchange,
    link: Link,
    fromStart: boolean,
  ) {
    super(HTTP_STAGES, link);
    this.mode = fromStart ? 'head' : 'sync';
  }

  write(chunk: Uint8Array): void {
    if (this.holding) this.pending.push(chunk);
    else this.process(chunk, 0);
  }

  override end(): void {
    if (this.holding) {
      this.pending.ended = true;
      return;
    }
    if (!this.head.empty) this.next.write(this.head.take());
    this.next.end();
  }

  retire(): void {
    if (this.holding) {
      this.timer.clear();
      this.resume();
    }
    this.leaveIfIdle();
  }

  override dispose(): void {
    this.timer.clear();
  }

  private leaveIfIdle(): void {
    if (!this.ex.retiring || this.holding || this.swallowing || this.mode === 'closing') return;
    if (!this.head.empty) this.next.write(this.head.take());
    this.link.unlink(this);
    this.ex.left(this);
  }

  private process(chunk: Uint8Array, start: number): void {
    let i = start;
    while (i < chunk.length) {
      switch (this.mode) {
        case 'tunnel':
        case 'bypass':
          this.next.write(i === 0 ? chunk : chunk.subarray(i));
          return;
        case 'closing':
          // The proxy answered with `Connection: close`: nothing after that request goes upstream.
          this.link.release(chunk.length - i);
          return;
        case 'sync':
          if (i === 0 && looksLikeRequestStart(chunk)) {
            this.mode = 'head';
            break;
          }
          this.next.write(i === 0 ? chunk : chunk.subarray(i));
          return;
        case 'head': {
          let end: number;
          try {
            end = this.head.feed(chunk, i);
          } catch {
            this.bypass();
            this.next.write(chunk.subarray(i));
            return;
          }
          if (end < 0) return;
          i = end;
          this.onHead(this.head.take());
          if (this.holding) {
            if (i < chunk.length) this.pending.push(chunk.subarray(i));
            return;
          }
          break;
        }
        case 'body': {
          const end = this.body.feed(chunk, i);
          const stop = end < 0 ? chunk.length : end;
          if (this.swallowing) this.link.release(stop - i);
          else this.next.write(chunk.subarray(i, stop));
          i = stop;
          if (end >= 0) this.messageDone();
          break;
        }
      }
    }
  }

  private onHead(bytes: Buffer): void {
    let head: MessageHead;
    try {
      head = parseHead(bytes, 'request');
      this.body.start(requestFraming(head));
    } catch {
      this.bypass();
      this.next.write(bytes);
      return;
    }
    const owed: Owed = { method: head.method };
    this.tunnelAfter = startsTunnel(head);
    const error = this.tunnelAfter ? undefined : this.ex.toxics('http_error').find((t) => hits(t.toxicity));
    if (error) {
      const { bytes: answer, close } = errorResponse(error, head, this.body.kind !== 'none');
      owed.answer = answer;
      owed.close = close || !keepsAlive(head);
      this.swallowing = true;
      this.link.release(bytes.length);
      this.ex.owed.push(owed);
      this.ex.answerQueued();
    } else {
      owed.tunnel = this.tunnelAfter;
      this.ex.owed.push(owed);
      let delay = 0;
      for (const t of this.ex.toxics('http_delay')) if (hits(t.toxicity)) delay += requestDelay(t);
      if (delay > 0) {
        this.holding = true;
        this.heldHead = bytes;
        this.timer.at(performance.now() + delay);
      } else {
        this.next.write(bytes);
      }
    }
    this.mode = 'body';
    if (this.body.kind === 'none') this.messageDone();
    if (owed.close && owed.answer) this.mode = 'closing';
  }

  private messageDone(): void {
    const swallowed = this.swallowing;
    this.swallowing = false;
    if (this.mode === 'closing') return;
    this.mode = this.tunnelAfter ? 'tunnel' : 'head';
    if (swallowed || this.ex.retiring) this.leaveIfIdle();
  }

  private resume(): void {
    this.holding = false;
    const head = this.heldHead;
    this.heldHead = undefined;
    if (head) this.next.write(head);
    const queued: Uint8Array[] = [];
    for (let c = this.pending.shift(); c !== undefined; c = this.pending.shift()) queued.push(c);
    const ended = this.pending.ended;
    this.pending.ended = false;
    for (const c of queued) {
      if (this.holding) this.pending.push(c);
      else this.process(c, 0);
    }
    if (ended) {
      if (this.holding) this.pending.ended = true;
      else this.end();
    }
    if (!this.holding) this.leaveIfIdle();
  }

  private bypass(): void {
    this.mode = 'bypass';
  }
}

class ResponseStage extends Stage {
  private mode: Mode;
  private readonly head = new HeadReader();
  private readonly body = new BodyReader();
  private current: Owed | undefined;
  /** Body bytes still allowed through before the abort, when this response is cut. */
  private abortIn: number | undefined;
  private abortReset = false;

  constructor(
    private readonly ex: HttpExchange,
    link: Link,
    fromStart: boolean,
  ) {
    super(HTTP_STAGES, link);
    this.mode = fromStart ? 'head' : 'sync';
  }

  write(chunk: Uint8Array): void {
    this.process(chunk, 0);
  }

  override end(): void {
    if (this.mode === 'body' && this.body.kind === 'close') this.messageDone();
    if (!this.head.empty) this.next.write(this.head.take());
    // Answers owed after the last real response still go out.
    while (this.ex.owed[0]?.answer) this.emitAnswer(this.ex.owed.shift()!);
    if (!this.link.closed) this.next.end();
  }

  retire(): void {
    this.abortIn = undefined;
    this.leaveIfIdle();
  }

  revive(): void {}

  /** Sends answers that are next in line, if no response is in the middle of passing. */
  pump(): void {
    if (this.mode === 'body' || this.mode === 'closing' || !this.head.empty) return;
    while (this.ex.owed[0]?.answer && !this.link.closed && (this.mode as Mode) !== 'closing') this.emitAnswer(this.ex.owed.shift()!);
    this.leaveIfIdle();
  }

  private emitAnswer(owed: Owed): void {
    const answer = owed.answer!;
    this.link.hold(answer.length);
    this.next.write(answer);
    if (owed.close) {
      this.mode = 'closing';
      this.link.close('fin');
    }
  }

  private leaveIfIdle(): void {
    if (!this.ex.retiring || this.mode === 'body' || this.mode === 'closing') return;
    if (this.ex.owed.some((o) => o.answer)) return;
    if (!this.head.empty) this.next.write(this.head.take());
    this.link.unlink(this);
    this.ex.left(this);
  }

  private process(chunk: Uint8Array, start: number): void {
    let i = start;
    while (i < chunk.length) {
      switch (this.mode) {
        case 'tunnel':
        case 'bypass':
          this.next.write(i === 0 ? chunk : chunk.subarray(i));
          return;
        case 'closing':
          this.link.release(chunk.length - i);
          return;
        case 'sync':
          // Only once a request was seen from its start is there an answer to line up with.
          if (i === 0 && this.ex.owed.length > 0 && looksLikeResponseStart(chunk)) {
            this.mode = 'head';
            break;
          }
          this.next.write(i === 0 ? chunk : chunk.subarray(i));
          return;
        case 'head': {
          let end: number;
          try {
            end = this.head.feed(chunk, i);
          } catch {
            this.mode = 'bypass';
            this.next.write(chunk.subarray(i));
            return;
          }
          if (end < 0) return;
          i = end;
          this.onHead(this.head.take());
          break;
        }
        case 'body': {
          const end = this.body.feed(chunk, i);
          const stop = end < 0 ? chunk.length : end;
          if (this.abortIn !== undefined && stop - i >= this.abortIn) {
            // Cut here: what the client gets ends mid-body (a full body is never let through).
            this.next.write(chunk.subarray(i, i + this.abortIn));
            this.link.release(chunk.length - i - this.abortIn);
            this.mode = 'closing';
            this.link.close(this.abortReset ? 'reset' : 'fin');
            return;
          }
          if (this.abortIn !== undefined) this.abortIn -= stop - i;
          this.next.write(chunk.subarray(i, stop));
          i = stop;
          if (end >= 0) this.messageDone();
          break;
        }
      }
    }
  }

  private onHead(bytes: Buffer): void {
    let head: MessageHead;
    const owed = this.ex.owed[0];
    try {
      head = parseHead(bytes, 'response');
      this.body.start(responseFraming(head, owed?.method ?? 'GET'));
    } catch {
      this.mode = 'bypass';
      this.next.write(bytes);
      return;
    }
    const informational = head.status >= 100 && head.status < 200 && head.status !== 101;
    this.current = informational ? undefined : owed;
    this.abortIn = undefined;
    if (!informational && this.body.kind !== 'none') {
      const abort = this.ex.toxics('http_abort').find((t) => hits(t.toxicity));
      if (abort) {
        const point = abortPoint(abort, this.body.kind === 'length' ? Number(head.headers.get('content-length')) : undefined);
        this.abortIn = point.after;
        this.abortReset = point.reset;
      }
    }
    this.next.write(bytes);
    if (informational) return;
    if (head.status === 101 || (owed?.tunnel && head.status >= 200 && head.status < 300)) {
      this.ex.owed.shift();
      this.mode = 'tunnel';
      return;
    }
    this.mode = 'body';
    if (this.body.kind === 'none') this.messageDone();
  }

  private messageDone(): void {
    if (this.current && this.ex.owed[0] === this.current) this.ex.owed.shift();
    this.current = undefined;
    this.abortIn = undefined;
    this.mode = 'head';
    this.pump();
  }
}
