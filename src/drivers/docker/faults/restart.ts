/** `container-restart`: docker restart (stop with its timeout, then start). A single action: nothing to undo. */
import { z } from 'zod';
import type { FaultKind } from '../../../faults/types.js';
import { duration } from '../../../util/duration-schema.js';
import { announce, chosen, failure, replicasParam, toInfo } from '../common.js';
import { engineClient } from '../engine.js';
import type { DockerTarget } from '../target.js';

const params = z.strictObject({
  timeout: duration.optional().describe('How long to wait after the stop signal before SIGKILL (default: the container\'s own stop timeout)'),
  replicas: replicasParam,
});
export type ContainerRestartParams = z.output<typeof params>;

export const containerRestartFault: FaultKind<ContainerRestartParams, DockerTarget> = {
  name: 'container-restart',
  driver: 'docker',
  summary: 'Restart the container (docker restart: stop, then start)',
  timing: 'instant',
  revertSummary: 'nothing to undo: the container runs again when the fault returns',
  params,
  plan: (target, p) => toInfo({ engine: target.engine, containers: chosen(target, p.replicas).map((c) => ({ id: c.id, name: c.name })) }),
  async inject(target, p, ctx) {
    const docker = engineClient(target.engine);
    const containers = chosen(target, p.replicas);
    announce(ctx, 'container-restart', target, containers);
    for (const c of containers) {
      try {
        await docker.getContainer(c.id).restart(p.timeout !== undefined ? { t: Math.ceil(p.timeout / 1000) } : {});
      } catch (err) {
        throw failure('docker restart of', c, err);
      }
    }
    return { details: { containers: containers.map((c) => c.name) } };
  },
  async revert() {},
};
