/**
 * Discovery as a real API server answers it: /version, /api (APIVersions), /apis (APIGroupList),
 * /api/v1 and /apis/<group>/<version> (APIResourceList). Aggregated discovery
 * (Accept: application/json;g=apidiscovery.k8s.io;v=v2…) is answered with these plain lists and
 * Content-Type application/json, which clients read as "not aggregated" and fall back from, as
 * they do against servers older than 1.26.
 */
import { subresourceEntries } from './resources.js';
import type { Store } from './store.js';
import type { ResourceDef } from './types.js';

export const serverVersion = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-faultline-stand-in',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-12-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function apiVersions(address: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: address }] };
}

function groupsOf(store: Store): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const r of store.resources()) {
    if (!r.group) continue;
    const versions = groups.get(r.group) ?? [];
    if (!versions.includes(r.version)) versions.push(r.version);
    groups.set(r.group, versions);
  }
  return groups;
}

export function apiGroupList(store: Store): Record<string, unknown> {
  const groups = [...groupsOf(store)].map(([name, versions]) => ({
    name,
    versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
    preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
  }));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiGroup(store: Store, name: string): Record<string, unknown> | undefined {
  const versions = groupsOf(store).get(name);
  if (!versions) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })), preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] } };
}

const entry = (r: ResourceDef): Record<string, unknown> => ({
  name: r.plural,
  singularName: r.singular,
  namespaced: r.namespaced,
  kind: r.kind,
  verbs: r.verbs,
  ...(r.shortNames ? { shortNames: r.shortNames } : {}),
  ...(r.categories ? { categories: r.categories } : {}),
});

/** The APIResourceList of one group version, or undefined when it is not served. */
export function apiResourceList(store: Store, group: string, version: string): Record<string, unknown> | undefined {
  const groupVersion = group ? `${group}/${version}` : version;
  const defs = store.resources().filter((r) => r.group === group && r.version === version);
  if (defs.length === 0) return undefined;
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources: defs.flatMap((r) => [entry(r), ...subresourceEntries(r)]) };
}
