/** `container-pause`: freeze every process of the container (docker pause: the cgroup freezer) for the duration, then unpause. */
import { z } from 'zod';
import type { FaultKind } from '../../../faults/types.js';
import { announce, chosen, containerRef, engineField, failure, inspectIfExists, readInfo, replicasParam, toInfo } from '../common.js';
import { engineClient, statusOf } from '../engine.js';
import type { DockerTarget } from '../target.js';

const params = z.strictObject({ replicas: replicasParam });
export type ContainerPauseParams = z.output<typeof params>;

const info = z.object({ engine: engineField, containers: z.array(containerRef) });

function toPause(target: DockerTarget, p: ContainerPauseParams) {
  return chosen(target, p.replicas).filter((c) => !c.paused);
}

export const containerPauseFault: FaultKind<ContainerPauseParams, DockerTarget> = {
  name: 'container-pause',
  driver: 'docker',
  summary: 'Freeze the container (docker pause) while the step lasts, then unpause it',
  timing: 'held',
  revertSummary: 'docker unpause, only while the same container is still paused (gone or running already: nothing to do)',
  params,
  // A container someone else paused is left out: its unpause is not ours to do.
  plan: (target, p) => toInfo({ engine: target.engine, containers: toPause(target, p).map((c) => ({ id: c.id, name: c.name })) }),
  async inject(target, p, ctx) {
    const docker = engineClient(target.engine);
    const containers = toPause(target, p);
    announce(ctx, 'container-pause', target, containers);
    for (const c of containers) {
      try {
        await docker.getContainer(c.id).pause();
      } catch (err) {
        // 409 "is already paused" is the state we want.
        if (!(statusOf(err) === 409 && /already paused/i.test(String((err as { json?: { message?: string } }).json?.message)))) throw failure('docker pause of', c, err);
      }
    }
    return { details: { containers: containers.map((c) => c.name) } };
  },
  async revert(raw) {
    const { engine, containers } = readInfo(info, raw, 'container-pause');
    for (const c of containers) {
      const state = await inspectIfExists(engine, c.id);
      if (!state?.State.Paused) continue;
      try {
        await engineClient(engine).getContainer(c.id).unpause();
      } catch (err) {
        const now = await inspectIfExists(engine, c.id);
        if (now?.State.Paused) throw failure('docker unpause of', c, err);
      }
    }
  },
};
