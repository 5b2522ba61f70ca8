/**
 * Server-side printing: what kubectl's human-readable `get` asks for with
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`. A meta.k8s.io Table with the columns a
 * real server prints for the kinds faultline touches (pods: NAME READY STATUS RESTARTS AGE …),
 * a CRD's additionalPrinterColumns for custom resources (simple `.a.b` paths only), NAME and AGE
 * for anything else. Each row carries the object as PartialObjectMetadata, or whole with
 * includeObject=Object.
 */
import type { Store } from './store.js';
import type { KubeObject, Loose, ResourceDef } from './types.js';

type Column = { name: string; type: string; format?: string; priority?: number; cell: (o: KubeObject) => unknown };

/** The Table version the Accept header asks for, or undefined for plain objects. */
export function tableVersion(accept: string | undefined): string | undefined {
  for (const part of (accept ?? '').split(',')) {
    if (!/;\s*as=Table/.test(part) || !/;\s*g=meta\.k8s\.io/.test(part)) continue;
    const v = /;\s*v=(v1beta1|v1)\b/.exec(part)?.[1];
    if (v) return `meta.k8s.io/${v}`;
  }
  return undefined;
}

/** kubectl's duration.HumanDuration. */
export function humanAge(since: string | undefined): string {
  if (!since) return '<unknown>';
  const ms = Date.now() - Date.parse(since);
  const s = Math.floor(ms / 1000);
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 192) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  return `${Math.floor(h / 24)}d`;
}

const name: Column = { name: 'Name', type: 'string', format: 'name', cell: (o) => o.metadata.name };
const age: Column = { name: 'Age', type: 'string', cell: (o) => humanAge(o.metadata.creationTimestamp) };
const col = (n: string, type: string, cell: (o: KubeObject) => unknown, priority = 0): Column => ({ name: n, type, priority, cell });

function podStatus(p: KubeObject): string {
  if (p.metadata.deletionTimestamp) return 'Terminating';
  if (p.status?.reason) return p.status.reason;
  const waiting = (p.status?.containerStatuses ?? []).find((c: Loose) => c.state?.waiting?.reason);
  return waiting?.state.waiting.reason ?? p.status?.phase ?? 'Unknown';
}

const columns: Record<string, Column[]> = {
  Pod: [
    name,
    col('Ready', 'string', (p) => `${(p.status?.containerStatuses ?? []).filter((c: Loose) => c.ready).length}/${(p.spec?.containers ?? []).length}`),
    col('Status', 'string', podStatus),
    col('Restarts', 'string', (p) => String((p.status?.containerStatuses ?? []).reduce((n: number, c: Loose) => n + (c.restartCount ?? 0), 0))),
    age,
    col('IP', 'string', (p) => p.status?.podIP ?? '<none>', 1),
    col('Node', 'string', (p) => p.spec?.nodeName ?? '<none>', 1),
  ],
  Deployment: [
    name,
    col('Ready', 'string', (d) => `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`),
    col('Up-to-date', 'integer', (d) => d.status?.updatedReplicas ?? 0),
    col('Available', 'integer', (d) => d.status?.availableReplicas ?? 0),
    age,
  ],
  ReplicaSet: [name, col('Desired', 'integer', (r) => r.spec?.replicas ?? 0), col('Current', 'integer', (r) => r.status?.replicas ?? 0), col('Ready', 'integer', (r) => r.status?.readyReplicas ?? 0), age],
  StatefulSet: [name, col('Ready', 'string', (s) => `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 0}`), age],
  DaemonSet: [
    name,
    col('Desired', 'integer', (d) => d.status?.desiredNumberScheduled ?? 0),
    col('Current', 'integer', (d) => d.status?.currentNumberScheduled ?? 0),
    col('Ready', 'integer', (d) => d.status?.numberReady ?? 0),
    col('Up-to-date', 'integer', (d) => d.status?.updatedNumberScheduled ?? 0),
    col('Available', 'integer', (d) => d.status?.numberAvailable ?? 0),
    age,
  ],
  Node: [name, col('Status', 'string', (n) => (n.status?.conditions?.some((c: Loose) => c.type === 'Ready' && c.status === 'True') ? 'Ready' : 'NotReady')), col('Roles', 'string', () => '<none>'), age, col('Version', 'string', (n) => n.status?.nodeInfo?.kubeletVersion ?? '')],
  Namespace: [name, col('Status', 'string', (n) => n.status?.phase ?? 'Active'), age],
  Event: [
    col('Last Seen', 'string', (e) => humanAge(e.lastTimestamp)),
    col('Type', 'string', (e) => e.type),
    col('Reason', 'string', (e) => e.reason),
    col('Object', 'string', (e) => `${String(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name}`),
    col('Message', 'string', (e) => e.message),
  ],
  Service: [name, col('Type', 'string', (s) => s.spec?.type), col('Cluster-IP', 'string', (s) => s.spec?.clusterIP ?? '<none>'), col('External-IP', 'string', () => '<none>'), col('Port(s)', 'string', (s) => (s.spec?.ports ?? []).map((p: Loose) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',') || '<none>'), age],
  ConfigMap: [name, col('Data', 'integer', (c) => Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length), age],
  CustomResourceDefinition: [name, col('Created At', 'date', (c) => c.metadata.creationTimestamp)],
};

function crdColumns(store: Store, def: ResourceDef): Column[] | undefined {
  if (!def.fromCrd) return undefined;
  const crd = store.get(store.resolve('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!, undefined, def.fromCrd);
  const printer = (crd?.spec?.versions ?? []).find((v: Loose) => v.name === def.version)?.additionalPrinterColumns as { name: string; type: string; jsonPath: string; priority?: number }[] | undefined;
  if (!printer?.length) return undefined;
  return [
    name,
    ...printer.map((p) =>
      col(p.name, p.type, (o) => {
        if (!/^(\.[A-Za-z0-9_-]+)+$/.test(p.jsonPath)) return '';
        const v = p.jsonPath.slice(1).split('.').reduce<Loose>((x, k) => x?.[k], o);
        return p.type === 'date' ? humanAge(v) : (v ?? '');
      }, p.priority ?? 0),
    ),
  ];
}

export function toTable(store: Store, def: ResourceDef, objects: KubeObject[], apiVersion: string, includeObject: string | undefined, resourceVersion?: string): Record<string, unknown> {
  const cols = crdColumns(store, def) ?? columns[def.kind] ?? [name, age];
  return {
    kind: 'Table',
    apiVersion,
    metadata: resourceVersion ? { resourceVersion } : {},
    columnDefinitions: cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: '', priority: c.priority ?? 0 })),
    rows: objects.map((o) => ({
      cells: cols.map((c) => c.cell(o)),
      ...(includeObject === 'None' ? {} : { object: includeObject === 'Object' ? o : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata } }),
    })),
  };
}
