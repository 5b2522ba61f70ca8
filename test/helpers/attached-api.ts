/**
 * A real HTTP service the test starts itself and faultline attaches to by pid file: `api` in
 * `<dir>/faultline.yaml`. Faults hit this process, so a test can watch its /proc state (paused
 * or not) whatever faultline does. `pauseExperiment` is a short experiment that pauses it.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, waitFor } from './cli.js';
import { httpOk, startServer } from './processes.js';
import { ledgerPath, readLedgerContents } from '../../src/safety/ledger.js';
import { openFaults, type OpenFault } from '../../src/safety/open-faults.js';

export async function startAttachedApi(dir: string): Promise<{ pid: number; port: number }> {
  const port = await freePort();
  const pid = startServer(port).pid!;
  await writeFile(join(dir, 'api.pid'), String(pid));
  await writeFile(join(dir, 'faultline.yaml'), `services:\n  api:\n    pidFile: api.pid\n    health: { http: "http://127.0.0.1:${port}/", timeout: 300ms }\n`);
  await waitFor(() => httpOk(`http://127.0.0.1:${port}/`), { what: 'the test server', timeoutMs: 20_000 });
  return { pid, port };
}

/** Pauses api for `ms`, with short probes so the run itself takes little longer than the pause. */
export function pauseExperiment(ms: number, title = `api pauses ${ms}ms`): string {
  return `title: ${title}\nprobeInterval: 100ms\nbaseline: 100ms\nmethod:\n  - { fault: pause, target: api, duration: ${ms}ms }\nrecovery: { within: 5s, sustained: 1 }\n`;
}

/** The faults the state dir's ledger still has open (none once every run reverted its own). */
export async function openFaultsIn(stateDir: string): Promise<OpenFault[]> {
  const contents = await readLedgerContents(ledgerPath(stateDir)).catch(() => undefined);
  return contents ? openFaults(contents.entries) : [];
}
