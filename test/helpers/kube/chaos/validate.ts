/**
 * Admission for Chaos Mesh objects, as a cluster with Chaos Mesh installed does it: the CRD's
 * published schema (../shared/k8s/chaos-mesh/schemas, checked with Ajv 8 as that folder's
 * README says: strict false, ajv-formats, Schedule's boolean exclusiveMinimum converted), its
 * objects closed in memory (additionalProperties false where the schema lists properties and
 * does not preserve unknown fields) so a misspelt field fails, plus the admission webhook's rules
 * the schema does not state (api/v1alpha1/*_webhook.go: Go durations, mode/value ranges, float
 * percentages, bandwidth units, direction needing a target, HTTPChaos port and method).
 * Failures are 422 Invalid with one cause per problem.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { closeObjects, convertExclusiveMinimum } from '../../chaos-mesh-schema.js';
import { invalid, StatusError, type StatusCause } from '../errors.js';
import type { KubeObject, Loose, ResourceDef } from '../types.js';

// ajv-formats is CommonJS with a default export; under NodeNext it is one level down.
const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv }).default;

/** A CRD schema as Ajv takes it, closed: the same preparation as the tests' own validator. */
export function closeSchema(node: Loose): void {
  convertExclusiveMinimum(node);
  closeObjects(node);
}

const goDuration = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;
const isDuration = (v: unknown): boolean => v === '0' || (typeof v === 'string' && goDuration.test(v));
const rateUnit = /^\d+(\.\d+)?(bps|kbps|mbps|gbps|tbps|bit|kbit|mbit|gbit|tbit)$/;
const httpMethods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

function field(e: ErrorObject): string {
  const base = e.instancePath.split('/').filter((s) => s !== '').join('.');
  const extra = (e.params as { missingProperty?: string; additionalProperty?: string }).missingProperty ?? (e.params as { additionalProperty?: string }).additionalProperty;
  return [base, extra].filter(Boolean).join('.');
}

/** Ajv's errors in the apiserver's words (k8s.io/apiextensions-apiserver validation messages). */
export function causesFromAjv(errors: ErrorObject[], obj: KubeObject): StatusCause[] {
  const valueAt = (path: string): unknown => path.split('/').filter((s) => s !== '').reduce<Loose>((o, k) => o?.[k], obj);
  return errors.map((e) => {
    const f = field(e);
    const value = JSON.stringify(valueAt(e.instancePath));
    switch (e.keyword) {
      case 'required':
        return { field: f, reason: 'FieldValueRequired', message: 'Required value' };
      case 'additionalProperties':
        return { field: f, reason: 'FieldValueInvalid', message: 'Invalid value: "field not declared in schema": unknown field' };
      case 'enum':
        return { field: f, reason: 'FieldValueNotSupported', message: `Unsupported value: ${value}: supported values: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}` };
      case 'pattern':
        return { field: f, message: `Invalid value: ${value}: ${f} in body should match '${(e.params as { pattern: string }).pattern}'` };
      case 'type':
        return { field: f, reason: 'FieldValueTypeInvalid', message: `Invalid value: ${value}: ${f} in body must be of type ${(e.params as { type: string }).type}: ${value}` };
      default:
        return { field: f, message: `Invalid value: ${value}: ${f} in body ${e.message ?? 'is invalid'}` };
    }
  });
}

/** The webhook-only rules (see the folder's README, step 5). */
export function webhookCauses(kind: string, spec: Loose): StatusCause[] {
  const causes: StatusCause[] = [];
  const bad = (f: string, value: unknown, message: string): number => causes.push({ field: f, message: `Invalid value: ${JSON.stringify(value)}: ${message}` });
  if (!spec || typeof spec !== 'object') return causes;
  if (spec.duration !== undefined && spec.duration !== null && !isDuration(spec.duration)) bad('spec.duration', spec.duration, 'parse duration field error');
  const value = spec.value;
  if (spec.mode === 'fixed' && !(/^\d+$/.test(String(value ?? '')) && Number(value) > 0)) bad('spec.value', value ?? '', 'value must be greater than 0');
  if ((spec.mode === 'fixed-percent' || spec.mode === 'random-max-percent') && !(/^\d+$/.test(String(value ?? '')) && Number(value) >= 1 && Number(value) <= 100)) bad('spec.value', value ?? '', `value of ${spec.mode} must be between 1 and 100`);
  if (kind === 'NetworkChaos') {
    const floats: [string, unknown][] = [
      ['spec.delay.correlation', spec.delay?.correlation],
      ['spec.delay.reorder.reorder', spec.delay?.reorder?.reorder],
      ['spec.delay.reorder.correlation', spec.delay?.reorder?.correlation],
      ['spec.loss.loss', spec.loss?.loss],
      ['spec.loss.correlation', spec.loss?.correlation],
      ['spec.duplicate.duplicate', spec.duplicate?.duplicate],
      ['spec.duplicate.correlation', spec.duplicate?.correlation],
      ['spec.corrupt.corrupt', spec.corrupt?.corrupt],
      ['spec.corrupt.correlation', spec.corrupt?.correlation],
    ];
    for (const [f, v] of floats) if (v !== undefined && (typeof v !== 'string' || !/^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(v.trim()))) bad(f, v, 'parse correlation field error');
    for (const [f, v] of [['spec.bandwidth.rate', spec.bandwidth?.rate], ['spec.rate.rate', spec.rate?.rate]] as const) if (v !== undefined && !rateUnit.test(String(v).toLowerCase())) bad(f, v, 'invalid unit, should be one of bps, kbps, mbps, gbps, tbps, bit, kbit, mbit, gbit, tbit');
    if ((spec.direction === 'from' || spec.direction === 'both') && spec.action !== 'partition' && !spec.target) bad('spec.direction', spec.direction, `direction cannot be ${spec.direction} when target is empty`);
  }
  if (kind === 'HTTPChaos') {
    if (spec.port !== undefined && !(Number(spec.port) > 0)) bad('spec.port', spec.port, 'port is not supported');
    if (spec.delay !== undefined && !isDuration(spec.delay)) bad('spec.delay', spec.delay, 'parse duration field error');
    if (spec.target === 'Request' && spec.method !== undefined && !httpMethods.includes(spec.method)) bad('spec.method', spec.method, 'not supported http method');
  }
  if (kind === 'IOChaos' && spec.delay !== undefined && !isDuration(spec.delay)) bad('spec.delay', spec.delay, 'parse duration field error');
  if (kind === 'TimeChaos' && spec.timeOffset !== undefined && !isDuration(spec.timeOffset)) bad('spec.timeOffset', spec.timeOffset, 'parse duration field error');
  return causes;
}

export class ChaosValidator {
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv({ strict: false, allErrors: true });

  /** `schemasDir` holds `<kind>.schema.json`; undefined when the shared folder is missing. */
  constructor(private readonly schemasDir: string | undefined) {
    addFormats(this.ajv);
  }

  private validatorFor(kind: string): ValidateFunction | undefined {
    if (!this.schemasDir) return undefined;
    const file = join(this.schemasDir, `${kind.toLowerCase()}.schema.json`);
    if (!existsSync(file)) return undefined;
    const v = this.compiled.get(kind);
    if (!v) {
      const schema = JSON.parse(readFileSync(file, 'utf8')) as Loose;
      closeSchema(schema);
      const compiled = this.ajv.compile(schema);
      this.compiled.set(kind, compiled);
      return compiled;
    }
    return v;
  }

  /**
   * Throws 422 Invalid naming every problem. Unknown fields with fieldValidation=Strict (what
   * kubectl sends) are a 400 "strict decoding error", as from a real server; without it a real
   * server drops them with a warning, but the stand-in refuses them (422) so a typo in an object
   * faultline sends fails the test.
   */
  check(def: ResourceDef, obj: KubeObject, fieldValidation?: string): void {
    const validate = this.validatorFor(def.kind);
    if (!validate) return;
    const causes: StatusCause[] = [];
    // metadata is the server's to check; status may be absent on create.
    if (!validate({ ...obj, metadata: {} })) {
      const errors = validate.errors ?? [];
      const unknown = errors.filter((e) => e.keyword === 'additionalProperties');
      if (fieldValidation === 'Strict' && unknown.length) {
        const fields = unknown.map((e) => `unknown field "${field(e)}"`).join(', ');
        throw new StatusError(400, 'BadRequest', `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: strict decoding error: ${fields}`);
      }
      causes.push(...causesFromAjv(errors, obj));
    }
    if (def.kind !== 'Schedule' && def.kind !== 'Workflow') causes.push(...webhookCauses(def.kind, obj.spec));
    if (causes.length) throw invalid(def, obj.metadata.name, causes);
  }
}
