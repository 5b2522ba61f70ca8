/**
 * Validates Chaos Mesh resources as a cluster with Chaos Mesh installed would: the published CRD
 * schemas (../shared/k8s/chaos-mesh, see its README) through Ajv, with every object closed so a
 * misspelt field fails, plus the rules only Chaos Mesh's admission webhook enforces
 * (api/v1alpha1/*_webhook.go), checked here by hand. Absent ../shared: `chaosMeshSkip` says why.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { repoRoot } from './cli.js';

export const CHAOS_MESH_DIR = resolve(repoRoot, '..', 'shared', 'k8s', 'chaos-mesh');
export const chaosMeshSkip: string | undefined = existsSync(join(CHAOS_MESH_DIR, 'schemas'))
  ? undefined
  : `the Chaos Mesh CRD schemas are not at ${CHAOS_MESH_DIR} (../shared/k8s/chaos-mesh beside the repository)`;

const SCHEMA_FILE: Record<string, string> = {
  PodChaos: 'podchaos',
  NetworkChaos: 'networkchaos',
  StressChaos: 'stresschaos',
  HTTPChaos: 'httpchaos',
  IOChaos: 'iochaos',
  TimeChaos: 'timechaos',
  DNSChaos: 'dnschaos',
  Schedule: 'schedule',
  Workflow: 'workflow',
};
const CHAOS_KINDS = ['PodChaos', 'NetworkChaos', 'StressChaos', 'HTTPChaos', 'IOChaos', 'TimeChaos', 'DNSChaos'];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** README step 4: additionalProperties false on every object with properties and nothing that keeps unknown fields (so a typo fails). Also for other CRDs' schemas. */
export function closeObjects(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(closeObjects);
  if (!isObject(node)) return;
  if (isObject(node.properties) && node.additionalProperties === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) node.additionalProperties = false;
  for (const value of Object.values(node)) closeObjects(value);
}

/** README step 3: OpenAPI 3.0's boolean exclusiveMinimum as draft-07 reads it. */
export function convertExclusiveMinimum(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(convertExclusiveMinimum);
  if (!isObject(node)) return;
  if (node.exclusiveMinimum === true && typeof node.minimum === 'number') {
    node.exclusiveMinimum = node.minimum;
    delete node.minimum;
  }
  for (const value of Object.values(node)) convertExclusiveMinimum(value);
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function schemaValidator(kind: string): ValidateFunction {
  const file = SCHEMA_FILE[kind];
  if (!file) throw new Error(`no Chaos Mesh schema for kind ${kind}`);
  let fn = compiled.get(file);
  if (!fn) {
    ajv ??= addFormats(new Ajv({ strict: false, allErrors: true }));
    const schema = JSON.parse(readFileSync(join(CHAOS_MESH_DIR, 'schemas', `${file}.schema.json`), 'utf8')) as Json;
    convertExclusiveMinimum(schema);
    closeObjects(schema);
    fn = ajv.compile(schema);
    compiled.set(file, fn);
  }
  return fn;
}

/** Every problem with a resource: the schema's, then the webhook's. Empty when a cluster would accept it. */
export function chaosMeshProblems(resource: unknown): string[] {
  if (!isObject(resource) || typeof resource.kind !== 'string') return ['not an object with a kind'];
  const validate = schemaValidator(resource.kind);
  const problems = validate(resource) ? [] : (validate.errors ?? []).map((e) => `schema: ${e.instancePath || '/'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
  const spec = isObject(resource.spec) ? resource.spec : {};
  if (CHAOS_KINDS.includes(resource.kind)) problems.push(...chaosSpecRules(resource.kind, spec, '/spec'));
  else if (resource.kind === 'Workflow') problems.push(...workflowRules(spec, '/spec'));
  else if (resource.kind === 'Schedule') problems.push(...scheduleRules(spec, '/spec'));
  return problems;
}

// ---- The webhook's rules (chaos-mesh api/v1alpha1, v2.8.3) ----

/** Go's time.ParseDuration. */
export function isGoDuration(s: unknown): boolean {
  return typeof s === 'string' && /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/.test(s);
}
/** strconv.ParseFloat, as far as percent strings go. */
const isFloat = (s: unknown) => typeof s === 'string' && /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(s);
/** go-units FromHumanSize (StressChaos memory size), or a percentage. */
const isBytes = (s: string) => (s.endsWith('%') ? /^\d+%$/.test(s) && Number(s.slice(0, -1)) <= 100 : /^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.test(s));
function isRate(s: unknown): boolean {
  if (typeof s !== 'string') return false;
  const lower = s.trim().toLowerCase();
  const unit = ['kbit', 'mbit', 'gbit', 'tbit', 'tbps', 'gbps', 'mbps', 'kbps', 'bps', 'bit'].find((u) => lower.endsWith(u));
  return unit !== undefined && /^\d+$/.test(lower.slice(0, -unit.length).trim());
}
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT'];
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function modeRules(s: Json, at: string): string[] {
  const value = s.value;
  const n = typeof value === 'string' && /^[-+]?\d+$/.test(value) ? Number(value) : NaN;
  if (s.mode === 'fixed' && !(n > 0)) return [`webhook: ${at}/value must be an integer > 0 with mode fixed, got ${JSON.stringify(value)}`];
  if ((s.mode === 'fixed-percent' || s.mode === 'random-max-percent') && !(n > 0 && n <= 100)) return [`webhook: ${at}/value must be 1-100 with mode ${String(s.mode)}, got ${JSON.stringify(value)}`];
  return [];
}

function durationRule(value: unknown, at: string): string[] {
  return value === undefined || value === '' || isGoDuration(value) ? [] : [`webhook: ${at} is not a Go duration: ${JSON.stringify(value)}`];
}

/** The spec of one chaos kind (a resource's, or embedded in a Workflow template or a Schedule). */
export function chaosSpecRules(kind: string, s: Json, at: string): string[] {
  const out = [...modeRules(s, at), ...durationRule(s.duration, `${at}/duration`)];
  const sub = (key: string): Json => (isObject(s[key]) ? s[key] : {});
  const needs = (action: string, key: string) => {
    if (s.action === action && !isObject(s[key])) out.push(`faultline check: ${at}/action ${action} without ${key} (the schema does not tie them; Chaos Mesh would do nothing)`);
  };
  if (kind === 'NetworkChaos') {
    if (isObject(s.target)) out.push(...modeRules(s.target, `${at}/target`));
    for (const [key, fields] of [['delay', ['correlation']], ['loss', ['loss', 'correlation']], ['duplicate', ['duplicate', 'correlation']], ['corrupt', ['corrupt', 'correlation']]] as const) {
      for (const f of fields) if (sub(key)[f] !== undefined && !isFloat(sub(key)[f])) out.push(`webhook: ${at}/${key}/${f} is not a float: ${JSON.stringify(sub(key)[f])}`);
    }
    for (const f of ['latency', 'jitter']) out.push(...durationRule(sub('delay')[f], `${at}/delay/${f}`));
    for (const key of ['bandwidth', 'rate']) if (isObject(s[key]) && !isRate(sub(key).rate)) out.push(`webhook: ${at}/${key}/rate needs a number and a unit (bps, kbps, …, bit, kbit, …): ${JSON.stringify(sub(key).rate)}`);
    const direction = s.direction ?? 'to';
    if (s.action !== 'partition' && (direction === 'from' || direction === 'both')) {
      if (s.target === undefined) out.push(`webhook: ${at}/direction ${String(direction)} cannot be used when target is empty in netem action`);
      if (s.externalTargets !== undefined) out.push(`webhook: ${at}/direction external targets cannot be used with ${String(direction)}`);
    }
    for (const action of ['delay', 'loss', 'duplicate', 'corrupt', 'bandwidth']) needs(action, action);
  }
  if (kind === 'HTTPChaos') {
    if (!(typeof s.port === 'number' && s.port > 0)) out.push(`webhook: ${at}/port ${String(s.port)} is not supported (must be > 0)`);
    if (s.target === 'Request' && s.method !== undefined && !HTTP_METHODS.includes(String(s.method))) out.push(`webhook: ${at}/method ${String(s.method)} is not supported`);
    out.push(...durationRule(s.delay, `${at}/delay`));
  }
  if (kind === 'IOChaos') {
    out.push(...durationRule(s.delay, `${at}/delay`));
    if (s.action === 'fault' && !(typeof s.errno === 'number' && s.errno !== 0)) out.push(`webhook: ${at}/errno 0 is not supported with action fault`);
    if (s.action === 'latency' && s.delay === undefined) out.push(`faultline check: ${at}/action latency without delay`);
  }
  if (kind === 'TimeChaos' && !isGoDuration(s.timeOffset)) out.push(`webhook: ${at}/timeOffset is not a Go duration: ${JSON.stringify(s.timeOffset)}`);
  if (kind === 'StressChaos') {
    const stressors = sub('stressors');
    if (!s.stressngStressors && !isObject(s.stressors)) out.push(`webhook: ${at} missing stressors`);
    if (isObject(s.stressors) && !isObject(stressors.cpu) && !isObject(stressors.memory)) out.push(`webhook: ${at}/stressors missing stressors`);
    for (const key of ['cpu', 'memory']) {
      const st = isObject(stressors[key]) ? stressors[key] : undefined;
      if (st && !(typeof st.workers === 'number' && st.workers > 0)) out.push(`webhook: ${at}/stressors/${key}/workers should always be positive`);
    }
    const size = isObject(stressors.memory) ? stressors.memory.size : undefined;
    if (typeof size === 'string' && size !== '' && !isBytes(size)) out.push(`webhook: ${at}/stressors/memory/size incorrect bytes format: ${size}`);
  }
  if (kind === 'PodChaos' && s.action === 'container-kill' && !(Array.isArray(s.containerNames) && s.containerNames.length > 0)) {
    out.push(`webhook: ${at}/containerNames the name of container is required on container-kill action`);
  }
  return out;
}

const CHAOS_TEMPLATE_TYPES = ['PodChaos', 'NetworkChaos', 'StressChaos', 'HTTPChaos', 'IOChaos', 'TimeChaos', 'DNSChaos', 'KernelChaos', 'JVMChaos', 'AWSChaos', 'GCPChaos', 'AzureChaos', 'BlockChaos', 'PhysicalMachineChaos'];
const embedKey = (kind: string) => (kind === 'HTTPChaos' ? 'httpChaos' : kind === 'IOChaos' ? 'ioChaos' : kind === 'JVMChaos' ? 'jvmChaos' : kind === 'AWSChaos' ? 'awsChaos' : kind === 'GCPChaos' ? 'gcpChaos' : kind.charAt(0).toLowerCase() + kind.slice(1));

export function workflowRules(spec: Json, at: string): string[] {
  const out: string[] = [];
  const templates = Array.isArray(spec.templates) ? (spec.templates as Json[]) : [];
  const names = templates.map((t) => t.name);
  if (!spec.entry) out.push(`webhook: ${at}/entry the entry of workflow is required`);
  if (!names.includes(spec.entry)) out.push(`webhook: ${at}/entry can not find a template with name ${String(spec.entry)}`);
  if (templates.length === 0) out.push(`webhook: ${at}/templates could not be empty`);
  const dup = names.filter((n, i) => names.indexOf(n) !== i);
  if (dup.length) out.push(`webhook: ${at}/templates template name must be unique, duplicated names: ${dup.join(', ')}`);
  templates.forEach((t, i) => {
    const here = `${at}/templates/${i}`;
    if (typeof t.name !== 'string' || !DNS1123_SUBDOMAIN.test(t.name) || t.name.length > 253) out.push(`webhook: ${here}/name must be a DNS-1123 subdomain: ${JSON.stringify(t.name)}`);
    out.push(...durationRule(t.deadline, `${here}/deadline`));
    const type = String(t.templateType);
    const children = Array.isArray(t.children) ? (t.children as unknown[]) : [];
    const chaosKeys = Object.keys(t).filter((k) => k.endsWith('Chaos'));
    if (type === 'Suspend') {
      if (!t.deadline) out.push(`webhook: ${here}/deadline in template with type Suspend could not be empty`);
      if (children.length || chaosKeys.length || t.task || t.schedule) out.push(`webhook: ${here} a Suspend template holds nothing`);
    } else if (type === 'Serial' || type === 'Parallel') {
      children.forEach((c, j) => {
        if (!names.includes(c)) out.push(`webhook: ${here}/children/${j} can not find a template with name ${String(c)}`);
      });
      if (chaosKeys.length || t.task || t.schedule) out.push(`webhook: ${here} a ${type} template holds only children`);
    } else if (type === 'Schedule') {
      if (children.length || chaosKeys.length || t.task) out.push(`webhook: ${here} a Schedule template holds only its schedule`);
      if (isObject(t.schedule)) out.push(...scheduleRules(t.schedule, `${here}/schedule`));
    } else if (CHAOS_TEMPLATE_TYPES.includes(type)) {
      const key = embedKey(type);
      const embedded = t[key];
      if (!isObject(embedded)) out.push(`webhook: ${here}/${key} the value of chaos ${type} is required`);
      else {
        if (embedded.duration !== undefined) out.push(`webhook: ${here}/${key}/duration should not define duration in chaos when using Workflow, use Template#Deadline instead`);
        out.push(...chaosSpecRules(type, embedded, `${here}/${key}`));
      }
      if (children.length || t.task || t.schedule || chaosKeys.some((k) => k !== key)) out.push(`webhook: ${here} a chaos template holds only its chaos`);
    } else if (type !== 'Task' && type !== 'StatusCheck') {
      out.push(`webhook: ${here}/templateType unrecognized template type: ${type}`);
    }
  });
  return out;
}

/** robfig/cron with SecondOptional | Minute | Hour | Dom | Month | Dow | Descriptor, as Chaos Mesh parses schedules. */
export function isChaosMeshCron(expr: unknown): boolean {
  if (typeof expr !== 'string') return false;
  const s = expr.trim();
  if (s.startsWith('@')) return /^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(s) || (s.startsWith('@every ') && isGoDuration(s.slice(7).trim()));
  const fields = s.split(/\s+/);
  return (fields.length === 5 || fields.length === 6) && fields.every((f) => /^(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?)*$/.test(f));
}

export function scheduleRules(spec: Json, at: string): string[] {
  const out: string[] = [];
  if (!isChaosMeshCron(spec.schedule)) out.push(`webhook: ${at}/schedule parse schedule field error: ${JSON.stringify(spec.schedule)}`);
  const type = String(spec.type);
  if (type === 'Workflow') out.push(...(isObject(spec.workflow) ? workflowRules(spec.workflow, `${at}/workflow`) : [`webhook: ${at}/workflow is required with type Workflow`]));
  else if (CHAOS_TEMPLATE_TYPES.includes(type)) {
    const key = embedKey(type);
    out.push(...(isObject(spec[key]) ? chaosSpecRules(type, spec[key], `${at}/${key}`) : [`webhook: ${at}/${key} is required with type ${type}`]));
  } else out.push(`webhook: ${at}/type unknown schedule type ${type}`);
  return out;
}
