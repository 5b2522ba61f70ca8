/**
 * Label and field selectors as the API server parses them
 * (k8s.io/apimachinery/pkg/labels and pkg/fields): `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
 * `a notin (x)`, `a`, `!a`; field selectors take `=`, `==` and `!=` on the fields a resource
 * supports, and anything else is a 400 as on a real server.
 */
import { badRequest } from './errors.js';
import type { KubeObject } from './types.js';

type Requirement = { key: string; op: 'eq' | 'ne' | 'in' | 'notin' | 'exists' | 'absent'; values: string[] };

export type Matcher = (obj: KubeObject) => boolean;

/** Split on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

export function parseLabelSelector(text: string): Requirement[] {
  return splitTerms(text).map((term) => {
    let m = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) return { key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((v) => v.trim()).filter((v) => v !== '') };
    m = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s]*)$/.exec(term);
    if (m) return { key: m[1]!, op: m[2] === '!=' ? 'ne' : 'eq', values: [m[3]!] };
    m = /^!\s*([^\s!=]+)$/.exec(term);
    if (m) return { key: m[1]!, op: 'absent', values: [] };
    m = /^([^\s!=()]+)$/.exec(term);
    if (m) return { key: m[1]!, op: 'exists', values: [] };
    throw badRequest(`unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt`);
  });
}

function matches(reqs: Requirement[], get: (key: string) => string | undefined): boolean {
  return reqs.every(({ key, op, values }) => {
    const v = get(key);
    switch (op) {
      case 'eq':
        return v === values[0];
      case 'ne':
        return v !== values[0];
      case 'in':
        return v !== undefined && values.includes(v);
      case 'notin':
        return v === undefined || !values.includes(v);
      case 'exists':
        return v !== undefined;
      case 'absent':
        return v === undefined;
    }
  });
}

export function labelMatcher(text: string | undefined): Matcher {
  if (!text) return () => true;
  const reqs = parseLabelSelector(text);
  return (obj) => matches(reqs, (k) => obj.metadata.labels?.[k]);
}

/** A metav1.LabelSelector (matchLabels + matchExpressions), as workloads carry it. */
export function selectorMatcher(selector: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined): Matcher {
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) reqs.push({ key, op: 'eq', values: [value] });
  for (const e of selector?.matchExpressions ?? []) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: 'absent' } as const)[e.operator as 'In'];
    if (op) reqs.push({ key: e.key, op, values: e.values ?? [] });
  }
  return (obj) => matches(reqs, (k) => obj.metadata.labels?.[k]);
}

const podFields: Record<string, (o: KubeObject) => string | undefined> = {
  'status.phase': (o) => o.status?.phase ?? '',
  'spec.nodeName': (o) => o.spec?.nodeName ?? '',
  'spec.restartPolicy': (o) => o.spec?.restartPolicy ?? '',
  'spec.serviceAccountName': (o) => o.spec?.serviceAccountName ?? '',
  'status.podIP': (o) => o.status?.podIP ?? '',
};
const eventFields: Record<string, (o: KubeObject) => string | undefined> = {
  'involvedObject.kind': (o) => o.involvedObject?.kind ?? '',
  'involvedObject.name': (o) => o.involvedObject?.name ?? '',
  'involvedObject.namespace': (o) => o.involvedObject?.namespace ?? '',
  'involvedObject.uid': (o) => o.involvedObject?.uid ?? '',
  reason: (o) => o.reason ?? '',
  type: (o) => o.type ?? '',
};

export function fieldMatcher(text: string | undefined, kind: string): Matcher {
  if (!text) return () => true;
  const extra = kind === 'Pod' ? podFields : kind === 'Event' ? eventFields : {};
  const fields: Record<string, (o: KubeObject) => string | undefined> = {
    'metadata.name': (o) => o.metadata.name,
    'metadata.namespace': (o) => o.metadata.namespace ?? '',
    ...extra,
  };
  const reqs = splitTerms(text).map((term) => {
    const m = /^([^\s!=]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const getter = fields[m[1]!];
    if (!getter) throw badRequest(`field label not supported: ${m[1]}`);
    return { getter, ne: m[2] === '!=', value: m[3]! };
  });
  return (obj) => reqs.every(({ getter, ne, value }) => (getter(obj) === value) !== ne);
}
