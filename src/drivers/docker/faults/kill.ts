/**
 * `container-kill`: the container's main process dies.
 *
 * `method: crash` (default) signals that process through its pid on the engine's host, as a crash
 * or the kernel's OOM killer would: the engine sees the container exit on its own, so its restart
 * policy (`always`, `on-failure`, `unless-stopped`) brings it back — a Swarm service replaces the
 * task. `method: engine` is `docker kill` through the Engine API: the engine counts it as a
 * manual stop, and the restart policy does not fire.
 */
import { z } from 'zod';
import { TargetError } from '../../../errors/index.js';
import type { FaultKind } from '../../../faults/types.js';
import { sameProcess } from '../../../util/proc.js';
import { sendSignal, signalParam } from '../../process/signals.js';
import { announce, chosen, failure, replicasParam, toInfo } from '../common.js';
import { engineClient, isLocalEngine } from '../engine.js';
import type { DockerTarget } from '../target.js';

const params = z.strictObject({
  signal: signalParam('SIGKILL'),
  method: z.enum(['crash', 'engine']).default('crash').describe('crash: signal the main process through its host pid (the restart policy fires); engine: docker kill (a manual stop: it does not)'),
  replicas: replicasParam,
});
export type ContainerKillParams = z.output<typeof params>;

export const containerKillFault: FaultKind<ContainerKillParams, DockerTarget> = {
  name: 'container-kill',
  driver: 'docker',
  summary: 'Kill the container\'s main process (default: a crash through its host pid, so the restart policy fires; method: engine is docker kill)',
  timing: 'instant',
  revertSummary: 'nothing to undo: the restart policy (or Swarm) brings it back, which is what is measured',
  params,
  plan: (target, p) =>
    toInfo({ engine: target.engine, method: p.method, signal: p.signal, containers: chosen(target, p.replicas).map((c) => ({ id: c.id, name: c.name, pid: c.pid, startTicks: c.startTicks ?? null })) }),
  async inject(target, p, ctx) {
    const containers = chosen(target, p.replicas);
    announce(ctx, 'container-kill', target, containers);
    if (p.method === 'crash') {
      if (!isLocalEngine(target.engine)) throw new TargetError(`${target.label}: method crash signals the container's process on this machine, but the engine is remote (${target.engine}); use method: engine`, target.service);
      for (const c of containers) {
        // The pid was read at resolve time: make sure it still is that container's process.
        if (c.pid > 0 && c.startTicks === undefined) {
          throw new TargetError(`cannot see container ${c.name}'s process (pid ${c.pid}) in this machine's /proc (is faultline in another pid namespace?); use method: engine`, target.service);
        }
        if (c.pid <= 0 || c.startTicks === undefined || !sameProcess(c.pid, c.startTicks)) throw new TargetError(`container ${c.name} of ${target.service} is no longer running (pid ${c.pid})`, target.service);
        try {
          if (!sendSignal(c.pid, p.signal)) throw new TargetError(`container ${c.name} of ${target.service} is no longer running`, target.service);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EPERM') {
            throw new TargetError(`cannot signal container ${c.name}'s process (pid ${c.pid}): permission denied; method crash needs root (or the container's user), method engine needs only the Docker socket`, target.service, { cause: err });
          }
          throw err;
        }
      }
    } else {
      const docker = engineClient(target.engine);
      for (const c of containers) {
        try {
          await docker.getContainer(c.id).kill({ signal: p.signal });
        } catch (err) {
          throw failure('docker kill of', c, err);
        }
      }
    }
    // What brings them back, as the engine had it: the report names it when nothing did.
    return { details: { method: p.method, signal: p.signal, source: target.source, containers: containers.map((c) => c.name), pids: containers.map((c) => c.pid), restartPolicies: containers.map((c) => c.restartPolicy) } };
  },
  // A signal cannot be taken back; bringing the container back is the engine's restart policy's job.
  async revert() {},
};
