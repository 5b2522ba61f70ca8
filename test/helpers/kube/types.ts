/** Shapes shared by the stand-in API server's pieces. Objects are arbitrary Kubernetes JSON. */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- objects are whatever JSON a client sends
export type Loose = any;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  generateName?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [key: string]: Loose;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: Loose;
  status?: Loose;
  [key: string]: Loose;
}

/** One resource the server serves, as discovery describes it. */
export interface ResourceDef {
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  /** Subresource names served (status, scale, eviction, exec). */
  subresources: string[];
  /** From a CRD: its version's openAPIV3Schema (kept for printing, not enforced generically). */
  fromCrd?: string;
}

export const apiVersionOf = (def: Pick<ResourceDef, 'group' | 'version'>): string => (def.group ? `${def.group}/${def.version}` : def.version);
export const resourceKey = (def: Pick<ResourceDef, 'group' | 'plural'>): string => `${def.group}/${def.plural}`;

/** One change to the store, as watches and controllers see it. */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resource: string;
  rv: number;
  object: KubeObject;
  /** The object before a MODIFIED (to tell a watch with a selector that it stopped matching). */
  previous?: KubeObject;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  body: unknown;
}
