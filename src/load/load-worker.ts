/**
 * A load worker thread's entry (worker-pool.ts starts it): one share of the load — its own
 * connections, its share of the open model's schedule, its own HDR histogram — on the same engine
 * as a single-threaded load. It keeps no time series: the main thread asks for slices.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BuiltinLoad } from './engine.js';
import type { LoadSlice } from './slice.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-messages.js';

const port = parentPort;
if (port === null) throw new Error('load-worker.js runs as a worker thread (worker-pool.ts starts it)');
const init = workerData as WorkerInit;
const EMPTY: LoadSlice = { requests: 0, errors: 0, unanswered: 0, statuses: [], failures: [], histogram: null };
let load: BuiltinLoad | undefined;

function send(message: FromWorker): void {
  port!.postMessage(message);
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'start': {
      const startPerf = m.startEpoch - performance.timeOrigin;
      const started = new BuiltinLoad(init.spec, {}, { index: init.index, count: init.count, startPerf });
      load = started;
      void started.ended.then(() => {
        const { error } = started.counters();
        send(error === undefined ? { type: 'ended' } : { type: 'ended', error });
      });
      break;
    }
    case 'flush': {
      const outstanding = init.live && load ? load.outstanding(1000).map((t) => t + performance.timeOrigin) : [];
      send({ type: 'slice', seq: m.seq, slice: load?.slice() ?? EMPTY, late: load?.counters().late ?? 0, outstanding });
      break;
    }
    case 'stop': {
      const stopping = load;
      if (stopping === undefined) {
        send({ type: 'done', slice: EMPTY, counters: { sent: 0, late: 0, notSent: 0, cutOff: 0, bytes: 0, scheduled: 0, sendingEndedPerf: 0, sendingEndedEpoch: 0 } });
        break;
      }
      void stopping.halt().then(() => {
        const counters = stopping.counters();
        send({ type: 'done', slice: stopping.slice(), counters: { ...counters, sendingEndedEpoch: counters.sendingEndedPerf + performance.timeOrigin } });
      });
      break;
    }
  }
});
send({ type: 'ready' });
