/**
 * `container-remove`: docker rm --force. A single action with nothing to undo: Swarm replaces the
 * task with a new one; a Compose service's container stays gone until `docker-compose up -d`
 * creates it again (what an experiment with this fault observes is whether the rest copes).
 */
import { z } from 'zod';
import type { FaultKind } from '../../../faults/types.js';
import { announce, chosen, failure, replicasParam, toInfo } from '../common.js';
import { engineClient, isNotFound } from '../engine.js';
import type { DockerTarget } from '../target.js';

const params = z.strictObject({
  volumes: z.boolean().default(false).describe('Also remove the container\'s anonymous volumes'),
  replicas: replicasParam,
});
export type ContainerRemoveParams = z.output<typeof params>;

export const containerRemoveFault: FaultKind<ContainerRemoveParams, DockerTarget> = {
  name: 'container-remove',
  driver: 'docker',
  summary: 'Remove the container (docker rm --force): Swarm replaces it; Compose needs `docker-compose up -d`',
  timing: 'instant',
  revertSummary: 'nothing to undo: the container is gone for good (Swarm starts a new task; a Compose service needs `docker-compose up -d`)',
  params,
  plan: (target, p) => toInfo({ engine: target.engine, containers: chosen(target, p.replicas).map((c) => ({ id: c.id, name: c.name })) }),
  async inject(target, p, ctx) {
    const docker = engineClient(target.engine);
    const containers = chosen(target, p.replicas);
    announce(ctx, 'container-remove', target, containers);
    for (const c of containers) {
      try {
        await docker.getContainer(c.id).remove({ force: true, v: p.volumes });
      } catch (err) {
        if (!isNotFound(err)) throw failure('docker rm of', c, err);
      }
    }
    return { details: { containers: containers.map((c) => c.name) } };
  },
  async revert() {},
};
