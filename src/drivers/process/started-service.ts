/**
 * `started-service`: not a fault users write, but the ledger's record of a process a run started
 * (a `process:` service). The run stops its services when it ends; if faultline itself is killed
 * (`kill -9`, OOM) they would run on with nobody supervising them — and with the run's in-process
 * proxies gone, calls between them would fail. With this record open in the ledger, the reaper
 * (or `faultline recover`) stops them, so a crashed run leaves the system as it found it: not
 * running. The entry is written just after the spawn (a pid exists only then) and closed when the
 * process exits.
 */
import { z } from 'zod';
import type { FaultKind } from '../../faults/types.js';
import { sameProcess } from '../../util/proc.js';
import { identityFrom } from './revert-info.js';
import { normalizeSignal, signalGroup, waitForExit } from './signals.js';

export const STARTED_SERVICE_KIND = 'started-service';

const stopInfo = z.looseObject({ stopSignal: z.string().optional(), stopTimeoutMs: z.number().int().nonnegative().optional() });

export const startedServiceKind: FaultKind<Record<string, never>, never> = {
  name: STARTED_SERVICE_KIND,
  driver: 'process',
  summary: 'A process the run started (ledger bookkeeping, so a crashed run does not leave it running)',
  timing: 'held',
  revertSummary: "the service's stop signal to its process group (SIGCONT first), SIGKILL after its stop timeout",
  revertLast: true,
  params: z.strictObject({}),
  plan: () => ({}),
  inject: () => Promise.reject(new Error('started-service is recorded by the runtime, never injected')),
  async revert(info, ctx) {
    const { pid, startTicks } = identityFrom(info, STARTED_SERVICE_KIND);
    // The group is the leader's pid: only signal it while the leader is the process we started,
    // never a recycled pid's group.
    if (!sameProcess(pid, startTicks)) return;
    const stop = stopInfo.parse(info);
    signalGroup(pid, 'SIGCONT');
    signalGroup(pid, normalizeSignal(stop.stopSignal ?? 'SIGTERM') ?? 'SIGTERM');
    if (await waitForExit(pid, startTicks, stop.stopTimeoutMs ?? 5000, ctx.signal)) {
      signalGroup(pid, 'SIGKILL'); // what the leader left behind, as the supervisor does
      return;
    }
    signalGroup(pid, 'SIGKILL');
    await waitForExit(pid, startTicks, 2000, ctx.signal);
  },
};
