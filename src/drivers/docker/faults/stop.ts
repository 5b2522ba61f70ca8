/**
 * `container-stop`: docker stop (the stop signal, then SIGKILL after the timeout) for the duration,
 * then start it again. The engine counts a stop as manual: the restart policy does not bring the
 * container back — faultline does, at the end of the step. A Swarm task is not started again:
 * Swarm replaces it with a new task by itself.
 */
import { z } from 'zod';
import type { FaultKind } from '../../../faults/types.js';
import { duration } from '../../../util/duration-schema.js';
import { announce, chosen, containerRef, engineField, failure, inspectIfExists, readInfo, replicasParam, toInfo, tolerateNotModified } from '../common.js';
import { engineClient } from '../engine.js';
import type { DockerTarget } from '../target.js';

const params = z.strictObject({
  timeout: duration.optional().describe('How long to wait after the stop signal before SIGKILL (default: the container\'s own stop timeout, 10s unless set)'),
  replicas: replicasParam,
});
export type ContainerStopParams = z.output<typeof params>;

const info = z.object({ engine: engineField, swarm: z.boolean(), containers: z.array(containerRef) });

export const containerStopFault: FaultKind<ContainerStopParams, DockerTarget> = {
  name: 'container-stop',
  driver: 'docker',
  summary: 'Stop the container (docker stop) while the step lasts, then start it again',
  timing: 'held',
  revertSummary: 'docker start of the same container if it is not running (a Swarm task is left to Swarm, which replaces it)',
  params,
  plan: (target, p) => toInfo({ engine: target.engine, swarm: target.source === 'swarm', containers: chosen(target, p.replicas).map((c) => ({ id: c.id, name: c.name })) }),
  async inject(target, p, ctx) {
    const docker = engineClient(target.engine);
    const containers = chosen(target, p.replicas);
    announce(ctx, 'container-stop', target, containers);
    for (const c of containers) {
      ctx.signal.throwIfAborted();
      try {
        await tolerateNotModified(() => docker.getContainer(c.id).stop(p.timeout !== undefined ? { t: Math.ceil(p.timeout / 1000) } : {}));
      } catch (err) {
        throw failure('docker stop of', c, err);
      }
    }
    return { details: { containers: containers.map((c) => c.name) } };
  },
  async revert(raw) {
    const { engine, swarm, containers } = readInfo(info, raw, 'container-stop');
    if (swarm) return; // Swarm has started a replacement task; starting the old container would fight it.
    for (const c of containers) {
      const state = await inspectIfExists(engine, c.id);
      if (!state || state.State.Running) continue;
      try {
        await tolerateNotModified(() => engineClient(engine).getContainer(c.id).start());
      } catch (err) {
        throw failure('docker start of', c, err);
      }
    }
  },
};
