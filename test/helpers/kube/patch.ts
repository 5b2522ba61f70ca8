/**
 * The three patch types the API server takes: JSON merge patch (RFC 7386), JSON patch (RFC 6902)
 * and strategic merge patch. The strategic merge here is a merge patch that also merges the lists
 * Kubernetes marks with a patch merge key (containers by name, ports by containerPort, conditions
 * by type, …) and honours `$patch: delete|replace`; `$setElementOrder/…` and `$retainKeys`
 * directives (kubectl apply sends them) are read as no-ops. That covers what kubectl and
 * client-node send for these resources; it is not the full apimachinery algorithm.
 */
import { StatusError } from './errors.js';
import type { Loose } from './types.js';

const isObject = (v: unknown): v is Record<string, Loose> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergePatch(target: Loose, patch: Loose): Loose {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, Loose> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Lists merged by a key in strategic merge patch, by field name (from the core types' patchMergeKey tags). */
const mergeKeys: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  conditions: 'type',
  imagePullSecrets: 'name',
  ownerReferences: 'uid',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  containerStatuses: 'name',
  initContainerStatuses: 'name',
  podIPs: 'ip',
};

export function strategicMergePatch(target: Loose, patch: Loose, field = ''): Loose {
  if (Array.isArray(patch)) {
    const key = mergeKeys[field];
    if (!key || !Array.isArray(target)) return structuredClone(patch.filter((p) => !(isObject(p) && p.$patch)));
    const out = target.map((t) => structuredClone(t));
    for (const item of patch) {
      if (!isObject(item)) continue;
      const at = out.findIndex((t) => isObject(t) && t[key] === item[key]);
      if (item.$patch === 'delete') {
        if (at >= 0) out.splice(at, 1);
      } else if (at >= 0) out[at] = strategicMergePatch(out[at], item);
      else out.push(strategicMergePatch(undefined, item));
    }
    return out;
  }
  if (!isObject(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const out: Record<string, Loose> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue; // $setElementOrder/…, $retainKeys, $deleteFromPrimitiveList/…
    if (v === null) delete out[k];
    else {
      const merged = strategicMergePatch(out[k], v, k);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
  }
  return out;
}

const unescape = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~');

function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new StatusError(422, 'Invalid', `the server rejected our request due to an error in our request: invalid JSON pointer "${path}"`);
  return path.slice(1).split('/').map(unescape);
}

function parentOf(doc: Loose, tokens: string[], path: string): { parent: Loose; last: string } {
  let node = doc;
  for (const t of tokens.slice(0, -1)) {
    node = Array.isArray(node) ? node[Number(t)] : isObject(node) ? node[t] : undefined;
    if (node === undefined) throw new StatusError(422, 'Invalid', `the server rejected our request due to an error in our request: doc is missing path: "${path}"`);
  }
  return { parent: node, last: tokens[tokens.length - 1]! };
}

function getAt(doc: Loose, path: string): Loose {
  let node = doc;
  for (const t of parsePointer(path)) node = Array.isArray(node) ? node[Number(t)] : isObject(node) ? node[t] : undefined;
  return node;
}

function removeAt(doc: Loose, path: string): Loose {
  const { parent, last } = parentOf(doc, parsePointer(path), path);
  const had = Array.isArray(parent) ? Number(last) < parent.length : isObject(parent) && last in parent;
  if (!had) throw new StatusError(422, 'Invalid', `the server rejected our request due to an error in our request: unable to remove nonexistent key: ${last}: missing value`);
  const value = Array.isArray(parent) ? parent.splice(Number(last), 1)[0] : parent[last];
  if (!Array.isArray(parent)) delete parent[last];
  return value;
}

function addAt(doc: Loose, path: string, value: Loose, replace: boolean): Loose {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return structuredClone(value);
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (replace) parent[i] = structuredClone(value);
    else parent.splice(i, 0, structuredClone(value));
  } else if (isObject(parent)) {
    if (replace && !(last in parent)) throw new StatusError(422, 'Invalid', `the server rejected our request due to an error in our request: replace operation does not apply: doc is missing key: ${path}: missing value`);
    parent[last] = structuredClone(value);
  } else throw new StatusError(422, 'Invalid', `the server rejected our request due to an error in our request: doc is missing path: "${path}"`);
  return doc;
}

export function jsonPatch(target: Loose, ops: Loose): Loose {
  if (!Array.isArray(ops)) throw new StatusError(400, 'BadRequest', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = structuredClone(target);
  for (const op of ops as { op: string; path: string; value?: Loose; from?: string }[]) {
    switch (op.op) {
      case 'add':
        doc = addAt(doc, op.path, op.value, false);
        break;
      case 'replace':
        doc = addAt(doc, op.path, op.value, true);
        break;
      case 'remove':
        removeAt(doc, op.path);
        break;
      case 'move':
        doc = addAt(doc, op.path, removeAt(doc, op.from ?? ''), false);
        break;
      case 'copy':
        doc = addAt(doc, op.path, getAt(doc, op.from ?? ''), false);
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, op.path)) !== JSON.stringify(op.value)) throw new StatusError(422, 'Invalid', `the server rejected our request due to an error in our request: testing value ${op.path} failed: test failed`);
        break;
      default:
        throw new StatusError(422, 'Invalid', `the server rejected our request due to an error in our request: Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}

export const patchTypes = ['application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json'] as const;

export function applyPatch(contentType: string | undefined, target: Loose, patch: Loose, strategicAllowed: boolean): Loose {
  const type = (contentType ?? '').split(';')[0]!.trim();
  if (type === 'application/merge-patch+json') return mergePatch(target, patch);
  if (type === 'application/json-patch+json') return jsonPatch(target, patch);
  if (type === 'application/strategic-merge-patch+json') {
    // Custom resources take no strategic merge patch on a real server either.
    if (!strategicAllowed) throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
    return strategicMergePatch(target, patch);
  }
  throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${patchTypes.join(', ')}`);
}
