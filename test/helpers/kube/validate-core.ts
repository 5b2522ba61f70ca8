/**
 * Check a core object (one faultline sends, or one a test builds) against the published
 * Kubernetes OpenAPI schemas through kubernetes-models: the model is picked by apiVersion and
 * kind, and the error names the object and lists every message.
 */
import * as apiextensionsV1 from 'kubernetes-models/apiextensions.k8s.io/v1';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as autoscalingV1 from 'kubernetes-models/autoscaling/v1';
import * as batchV1 from 'kubernetes-models/batch/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as coreV1 from 'kubernetes-models/v1';

type Model = new (data: unknown) => { validate(): void };

const modules: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  'apps/v1': appsV1,
  'policy/v1': policyV1,
  'autoscaling/v1': autoscalingV1,
  'batch/v1': batchV1,
  'apiextensions.k8s.io/v1': apiextensionsV1,
};

export function validateCoreObject(obj: { apiVersion?: string; kind?: string; metadata?: { name?: string } }): void {
  const what = `${obj.apiVersion ?? '(no apiVersion)'} ${obj.kind ?? '(no kind)'} "${obj.metadata?.name ?? ''}"`;
  const model = obj.apiVersion && obj.kind ? (modules[obj.apiVersion]?.[obj.kind] as Model | undefined) : undefined;
  if (typeof model !== 'function') throw new Error(`validateCoreObject: no kubernetes-models schema for ${what} (known apiVersions: ${Object.keys(modules).join(', ')})`);
  try {
    // A JSON round trip: client-node's objects carry Date instances where the schema has strings.
    new model(JSON.parse(JSON.stringify(obj))).validate();
  } catch (err) {
    const errors = (err as { errors?: { instancePath?: string; message?: string }[] }).errors;
    const lines = errors?.length ? errors.map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`) : [(err as Error).message];
    throw new Error(`validateCoreObject: ${what} does not match the Kubernetes schema:\n  ${lines.join('\n  ')}`, { cause: err });
  }
}
