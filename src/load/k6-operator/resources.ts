/**
 * The two objects a k6-operator load creates: a ConfigMap holding the script and a TestRun
 * (k6.io/v1alpha1) that runs it, both labelled as faultline's (run id, host, managed-by) so the
 * label sweep and a reader of the cluster know whose they are. Field names follow the operator's
 * api/v1alpha1/testrun_types.go; test/fixtures/k6-operator holds the CRD they are tested against.
 */
import { basename } from 'node:path';
import { ownershipLabels } from '../../drivers/kubernetes/leftovers.js';
import type { K6OperatorLoadSpec } from '../spec.js';

export const K6_GROUP = 'k6.io';
export const K6_VERSION = 'v1alpha1';
export const TESTRUN_PLURAL = 'testruns';
/** The CRD the operator installs; without it the API has no TestRun. */
export const TESTRUN_CRD = `${TESTRUN_PLURAL}.${K6_GROUP}`;
export const K6_OPERATOR_INSTALL_DOCS = 'https://grafana.com/docs/k6/latest/set-up/set-up-distributed-k6/install-k6-operator/';
/** A ConfigMap holds at most 1 MiB. */
export const MAX_SCRIPT_BYTES = 1024 * 1024;

/** The stages the operator moves a TestRun through (status.stage), in order; `error` can follow any. */
export const STAGES = ['initialization', 'initialized', 'created', 'started', 'stopped', 'finished', 'error'] as const;
export type Stage = (typeof STAGES)[number];
/** The operator does nothing more with a TestRun in these stages. */
export const FINAL_STAGES: ReadonlySet<string> = new Set(['finished', 'error']);

export interface K6OperatorNames {
  testRun: string;
  configMap: string;
  /** The ConfigMap key, which the TestRun names as its file. */
  file: string;
}

/** Names from the run id (lowercase: object names are DNS labels; short: the operator derives job names from it). */
export function k6OperatorNames(runId: string, script: string): K6OperatorNames {
  const id = runId.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 40).replace(/-+$/, '');
  const base = basename(script);
  // A ConfigMap key is [-._a-zA-Z0-9]+; the operator runs the key as the script, keeping its extension (.js or .tar).
  const file = /^[-._a-zA-Z0-9]+$/.test(base) && base !== '.' && base !== '..' ? base : /\.tar$/i.test(base) ? 'script.tar' : 'script.js';
  return { testRun: `faultline-k6-${id}`, configMap: `faultline-k6-${id}-script`, file };
}

export function scriptConfigMap(namespace: string, names: K6OperatorNames, runId: string, script: Buffer): Record<string, unknown> {
  const text = script.toString('utf8');
  // Text goes in data; anything that is not UTF-8 (a .tar archive) in binaryData, base64.
  const isText = Buffer.from(text, 'utf8').equals(script);
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: names.configMap, namespace, labels: ownershipLabels(runId) },
    ...(isText ? { data: { [names.file]: text } } : { binaryData: { [names.file]: script.toString('base64') } }),
  };
}

export function testRunObject(spec: K6OperatorLoadSpec['k6Operator'], names: K6OperatorNames, runId: string): Record<string, unknown> {
  return {
    apiVersion: `${K6_GROUP}/${K6_VERSION}`,
    kind: 'TestRun',
    metadata: { name: names.testRun, namespace: spec.namespace, labels: ownershipLabels(runId) },
    spec: {
      parallelism: spec.parallelism,
      script: { configMap: { name: names.configMap, file: names.file } },
      // Runners may share a node: spreading them is the operator's choice to offer, not a default to impose.
      separate: false,
      ...(spec.arguments !== undefined ? { arguments: spec.arguments } : {}),
      // The runner pods carry the labels too, so what the TestRun starts is visibly faultline's.
      runner: { ...(spec.runnerImage !== undefined ? { image: spec.runnerImage } : {}), metadata: { labels: ownershipLabels(runId) } },
    },
  };
}
