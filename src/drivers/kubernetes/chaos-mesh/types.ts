/**
 * A fault kind as a Chaos Mesh resource: the same name and parameters as faultline's own kind
 * (plus `mode` and what only a cluster needs), and a pure function from those parameters to the
 * resource's spec. No I/O here: the driver creates, awaits and deletes the resources, and
 * `faultline export --chaos-mesh` prints them.
 */
import type { z } from 'zod';

export type ChaosMeshCrdKind = 'PodChaos' | 'NetworkChaos' | 'StressChaos' | 'HTTPChaos' | 'IOChaos' | 'TimeChaos';

/** The pods of one service, as Chaos Mesh selects them. */
export interface ChaosMeshSelection {
  namespace: string;
  labelSelectors: Record<string, string>;
  /** The service's `kubernetes.container`: the container stress, IO, time and container-kill faults act in. */
  containerNames?: string[];
}

export interface ChaosMeshSpecOptions {
  /** How long Chaos Mesh keeps the fault (it ends it itself even if faultline dies). Left out inside a Workflow, whose template deadline ends it instead. */
  durationMs?: number;
  /** The selections of the services `peers()` named. */
  peers: Record<string, ChaosMeshSelection>;
}

export interface ChaosMeshKind<P = unknown> {
  /** The faultline kind name, e.g. `net-delay`. */
  readonly name: string;
  readonly crdKind: ChaosMeshCrdKind;
  /** The CRD's plural, for the REST path (`/apis/chaos-mesh.org/v1alpha1/namespaces/NS/networkchaos`). */
  readonly plural: string;
  readonly summary: string;
  /** `instant` kinds act once when Chaos Mesh applies them (pod-kill); `held` kinds last for the duration. */
  readonly timing: 'held' | 'instant';
  readonly params: z.ZodType<P>;
  /** Other services the spec needs resolved (net-partition's other side). */
  peers?(params: P): string[];
  spec(params: P, selection: ChaosMeshSelection, options: ChaosMeshSpecOptions): Record<string, unknown>;
}

export interface ChaosMeshResource {
  apiVersion: 'chaos-mesh.org/v1alpha1';
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}
