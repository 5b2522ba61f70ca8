/**
 * The raw transport's self-test: before the first proxy uses Node's raw TCP handles, an echo over
 * loopback runs through the very code a proxy runs (listenTcp/connectTcp with 'raw', RawEndpoint's
 * reads, writes, back-pressure and FIN), and the bytes that come back are compared with the bytes
 * sent. The handles are an internal Node API; this is what stands between a Node release that
 * changed them and a proxy that corrupts or stalls traffic. Any mismatch, exception or timeout is
 * a failure, with the reason.
 */
import { randomBytes } from 'node:crypto';
import { connectTcp, listenTcp, type Endpoint, type Listener } from './endpoint.js';

export interface SelfTestResult {
  ok: boolean;
  /** What was checked, or what went wrong. */
  detail: string;
}

/** A failure to simulate (tests, and FAULTLINE_PROXY_SELFTEST): the echo flips a bit, the test throws, or the echo never comes. */
export type SimulatedFailure = 'mismatch' | 'throw' | 'timeout';

export interface SelfTestOptions {
  /**
   * Bytes echoed. The default, 256 KiB, is more than an endpoint queues before it asks the writer
   * to wait: loopback usually takes every write at once, but were a Node to report those writes
   * as queued (a moved `kLastWriteWasAsync`), the drain that never comes would stall the echo
   * into the timeout.
   */
  bytes?: number;
  timeoutMs?: number;
  simulate?: SimulatedFailure;
}

export const SELF_TEST_BYTES = 256 * 1024;
export const SELF_TEST_TIMEOUT_MS = 3000;
/** Written in pieces, so the echo sees many reads and queued writes. */
const PIECE = 16 * 1024;

export async function rawSelfTest(options: SelfTestOptions = {}): Promise<SelfTestResult> {
  const size = options.bytes ?? SELF_TEST_BYTES;
  const timeoutMs = options.timeoutMs ?? SELF_TEST_TIMEOUT_MS;
  const sent = randomBytes(size);
  const received: Uint8Array[] = [];
  let receivedBytes = 0;
  const started = performance.now();
  const open: { close(): void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<SelfTestResult>((resolve, reject) => {
      const fail = (detail: string) => resolve({ ok: false, detail });
      timer = setTimeout(() => fail(`no complete echo within ${timeoutMs} ms (${receivedBytes} of ${size} bytes came back)`), timeoutMs);
      if (options.simulate === 'throw') throw new Error('simulated exception (FAULTLINE_PROXY_SELFTEST=throw)');
      const guard =
        <A extends unknown[]>(fn: (...args: A) => void) =>
        (...args: A) => {
          try {
            fn(...args);
          } catch (err) {
            reject(err as Error);
          }
        };
      const onClient = guard((err: string | undefined, ep?: Endpoint) => {
        if (err !== undefined || !ep) return fail(`connecting to the echo listener failed: ${err}`);
        open.push(ep);
        ep.handler = {
          onData: guard((chunk: Uint8Array) => {
            // Kept without copying: the proxy also passes read buffers on as they are, so a Node that reused them would show here.
            received.push(chunk);
            receivedBytes += chunk.length;
          }),
          onEnd: guard(() => resolve(compare(sent, received, performance.now() - started))),
          onError: (code) => fail(`the client socket failed: ${code}`),
          onDrain: guard(() => writeFrom(ep)),
        };
        writeFrom(ep);
      });
      let offset = 0;
      // The client starts reading only when its own writes must wait, or all are written: where
      // socket buffers are small, the echo then backs up and both sides pause and drain.
      const writeFrom = (ep: Endpoint) => {
        while (offset < size) {
          const piece = sent.subarray(offset, offset + PIECE);
          offset += piece.length;
          if (!ep.write(piece)) return ep.readStart(); // onDrain resumes
        }
        ep.end();
        ep.readStart();
      };
      listenTcp('127.0.0.1', 0, guard((ep: Endpoint) => echo(ep, options.simulate, open, guard, fail)), 'raw').then(
        guard((listener: Listener) => {
          open.push(listener);
          connectTcp(listener.host, listener.port, onClient, 'raw');
        }),
        reject,
      );
    });
  } catch (err) {
    return { ok: false, detail: `it threw: ${(err as Error).message}` };
  } finally {
    clearTimeout(timer);
    for (const h of open) h.close();
  }
}

/** The listener's side: writes back what it reads, pausing reads while its writes are queued, and ends when the client ends. */
function echo(
  ep: Endpoint,
  simulate: SimulatedFailure | undefined,
  open: { close(): void }[],
  guard: <A extends unknown[]>(fn: (...args: A) => void) => (...args: A) => void,
  fail: (detail: string) => void,
): void {
  open.push(ep);
  let first = true;
  ep.handler = {
    onData: guard((chunk: Uint8Array) => {
      if (simulate === 'timeout') return;
      if (simulate === 'mismatch' && first) chunk[0] = chunk[0]! ^ 1;
      first = false;
      if (!ep.write(chunk)) ep.readStop();
    }),
    onDrain: guard(() => ep.readStart()),
    onEnd: guard(() => {
      if (simulate !== 'timeout') ep.end();
    }),
    onError: (code) => fail(`the echo socket failed: ${code}`),
  };
  ep.readStart();
}

function compare(sent: Buffer, parts: Uint8Array[], ms: number): SelfTestResult {
  const got = Buffer.concat(parts);
  const n = Math.min(sent.length, got.length);
  let at = 0;
  while (at < n && sent[at] === got[at]) at++;
  if (at < n) return { ok: false, detail: `the echoed bytes differ from those sent at offset ${at} of ${sent.length}` };
  if (got.length !== sent.length) return { ok: false, detail: `${got.length} bytes came back for ${sent.length} sent` };
  return { ok: true, detail: `${Math.round(sent.length / 1024)} KiB echoed intact over loopback in ${Math.round(ms)} ms` };
}
