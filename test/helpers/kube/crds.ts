/**
 * The CRDs the stand-in can install: Chaos Mesh's real ones, read from
 * ../shared/k8s/chaos-mesh/*.crd.yaml beside the repository (a minimal CRD with the same names
 * when that folder is missing), and the k6 operator's TestRun (a minimal CRD whose schema keeps
 * unknown fields; the operator's own CRD is not vendored here).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { KubeObject } from './types.js';

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** ../shared/k8s/chaos-mesh from the repository root, or undefined when it is not there. */
export const chaosMeshDir: string | undefined = ((d) => (existsSync(d) ? d : undefined))(join(repoRoot, '..', 'shared', 'k8s', 'chaos-mesh'));

/** Plural, kind — the nine kinds the shared folder has. */
export const chaosMeshKinds: [string, string][] = [
  ['podchaos', 'PodChaos'],
  ['networkchaos', 'NetworkChaos'],
  ['stresschaos', 'StressChaos'],
  ['httpchaos', 'HTTPChaos'],
  ['iochaos', 'IOChaos'],
  ['timechaos', 'TimeChaos'],
  ['dnschaos', 'DNSChaos'],
  ['schedules', 'Schedule'],
  ['workflows', 'Workflow'],
];

function minimalCrd(group: string, version: string, plural: string, kind: string, statusSubresource: boolean): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      scope: 'Namespaced',
      versions: [{ name: version, served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } }, subresources: statusSubresource ? { status: {} } : {} }],
    },
  };
}

export function chaosMeshCrds(): KubeObject[] {
  return chaosMeshKinds.map(([plural, kind]) => {
    // The files are named by kind: podchaos.crd.yaml … schedule.crd.yaml, workflow.crd.yaml.
    const file = chaosMeshDir && join(chaosMeshDir, `${kind.toLowerCase()}.crd.yaml`);
    return file && existsSync(file) ? (parse(readFileSync(file, 'utf8')) as KubeObject) : minimalCrd('chaos-mesh.org', 'v1alpha1', plural, kind, false);
  });
}

export function k6OperatorCrds(): KubeObject[] {
  return [minimalCrd('k6.io', 'v1alpha1', 'testruns', 'TestRun', true)];
}
