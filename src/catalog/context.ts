/**
 * What a template renders with: its parameter values (checked by type before anything renders),
 * and the system file, from which the defaults come — the entry service (the one nothing depends
 * on), its health URL, a service's callers and dependencies, the proxy links into a service, and a
 * service's metrics URL (its health URL's origin + /metrics).
 */
import type { ServiceConfig, SystemFile } from '../experiment/schema/system.js';
import { parseRate, RATE_HINT } from '../load/rate.js';
import { parseDuration } from '../util/duration.js';
import type { CatalogTemplate, TemplateParameter } from './types.js';

/** A parameter problem: which parameter, and what to do about it. */
export class ParameterError extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
    this.name = 'ParameterError';
  }
}

export class RenderContext {
  readonly #values: Map<string, string>;

  constructor(
    readonly template: CatalogTemplate,
    readonly system: SystemFile,
    /** The system file as the user named it (for `system:` in the rendered experiment). */
    readonly systemFile: string,
    values: Map<string, string>,
  ) {
    this.#values = values;
  }

  /** Every given value has the parameter's type; unknown parameters are errors. */
  static check(template: CatalogTemplate, system: SystemFile, values: Map<string, string>): ParameterError[] {
    const errors: ParameterError[] = [];
    const names = template.parameters.map((p) => p.name);
    for (const [name, value] of values) {
      const param = template.parameters.find((p) => p.name === name);
      if (!param) {
        const hint = suggest(name, names);
        const how = name === 'target' ? 'it takes no --target' : `unknown parameter "${name}"`;
        errors.push(new ParameterError(name, `${how}${hint ? ` (did you mean "${hint}"?)` : ''}; catalog:${template.name} takes: ${names.join(', ') || '(no parameters)'}`));
        continue;
      }
      const problem = typeProblem(param, value, system);
      if (problem) errors.push(new ParameterError(name, problem));
    }
    return errors;
  }

  get services(): string[] {
    return Object.keys(this.system.services);
  }

  /** The value given, else undefined (for defaults derived from the system). */
  given(name: string): string | undefined {
    this.#param(name);
    return this.#values.get(name);
  }

  /** The value given, else the parameter's literal default; a missing required one is an error saying how to pass it. */
  str(name: string): string {
    const param = this.#param(name);
    const value = this.#values.get(name) ?? (param.required || param.derived ? undefined : param.default);
    if (value === undefined) throw this.missing(name);
    return value;
  }

  durationMs(name: string): number {
    return parseDuration(this.str(name))!;
  }

  number(name: string): number {
    return Number(this.str(name));
  }

  bool(name: string): boolean {
    return /^(true|yes|1|on)$/i.test(this.str(name));
  }

  list(name: string): string[] {
    return splitList(this.str(name));
  }

  /** A list parameter if given, else undefined. */
  givenList(name: string): string[] | undefined {
    const v = this.given(name);
    return v === undefined ? undefined : splitList(v);
  }

  /** The error for a parameter the template cannot do without, naming how to pass it. */
  missing(name: string, why?: string): ParameterError {
    const param = this.#param(name);
    const how = name === 'target' ? '--target <service>' : `--set ${name}=<${placeholder(param)}>`;
    const known = param.type === 'service' || param.type === 'services' ? ` (the system file defines: ${this.services.join(', ')})` : '';
    return new ParameterError(name, `${why ?? `missing required parameter "${name}" (${param.description})`}: pass ${how}${known}`);
  }

  /** An error about a parameter's value or what the system file offers for it. */
  fail(name: string, message: string): ParameterError {
    return new ParameterError(name, message);
  }

  #param(name: string): TemplateParameter {
    const param = this.template.parameters.find((p) => p.name === name);
    if (!param) throw new Error(`catalog:${this.template.name} reads undeclared parameter "${name}"`);
    return param;
  }

  // ---- what the system file says ----

  service(name: string): ServiceConfig {
    return this.system.services[name]!;
  }

  /** The service nothing depends on, when exactly one: where clients come in. */
  entry(): string {
    const given = this.given('entry');
    if (given !== undefined) return given;
    const roots = entryCandidates(this.system);
    if (roots.length === 1) return roots[0]!;
    throw new ParameterError(
      'entry',
      roots.length === 0
        ? 'cannot tell the entry service (every service is a dependency of another): pass --set entry=<service> or --set url=<URL>'
        : `cannot tell the entry service: ${roots.join(', ')} are each depended on by nothing; pass --set entry=<service> or --set url=<URL>`,
    );
  }

  /** The URL steady-state probes and load hit: `url`, else the entry service's HTTP health URL. */
  url(): string {
    const given = this.given('url');
    if (given !== undefined) return given;
    const entry = this.entry();
    const health = httpUrl(this.service(entry));
    if (!health) throw new ParameterError('url', `the entry service ${entry} has no HTTP health check to probe: pass --set url=<URL> (a request clients make)`);
    return health;
  }

  /** A service's metrics endpoint: `metrics`, else its HTTP health URL's origin + /metrics. */
  metricsUrl(service: string): string {
    const given = this.given('metrics');
    if (given !== undefined) return given;
    const health = httpUrl(this.service(service));
    if (!health) throw new ParameterError('metrics', `${service} has no HTTP health check to derive its metrics URL from: pass --set metrics=<URL of its Prometheus endpoint>`);
    return `${new URL(health).origin}/metrics`;
  }

  /** Services whose dependsOn names this one. */
  dependents(service: string): string[] {
    return Object.entries(this.system.services)
      .filter(([, s]) => s.dependsOn.includes(service))
      .map(([n]) => n);
  }

  /** The service and everything it depends on, transitively, deepest first (leaves before their callers). */
  dependencyChain(service: string): string[] {
    const out: string[] = [];
    const visit = (name: string): void => {
      if (out.includes(name)) return;
      for (const dep of this.service(name)?.dependsOn ?? []) visit(dep);
      out.push(name);
    };
    visit(service);
    return out;
  }

  /** Proxy links (`caller.name`) that lead to the service: named after it, or whose upstream is its address. */
  linksInto(service: string): string[] {
    const address = hostPort(this.service(service));
    const out: string[] = [];
    for (const [caller, svc] of Object.entries(this.system.services)) {
      for (const p of svc.proxies) {
        if (p.name === service || (address !== undefined && sameAddress(p.upstream, address))) out.push(`${caller}.${p.name}`);
      }
    }
    return out;
  }

  /** Every proxy link the system file declares. */
  allLinks(): string[] {
    return Object.entries(this.system.services).flatMap(([caller, svc]) => svc.proxies.map((p) => `${caller}.${p.name}`));
  }

  /** Services a process fault can act on (anything but a watch-only endpoint), minus critical ones and the given exclusions. */
  killable(exclude: string[] = []): string[] {
    return Object.entries(this.system.services)
      .filter(([n, s]) => s.endpoint === undefined && !s.critical && !exclude.includes(n))
      .map(([n]) => n);
  }
}

export function entryCandidates(system: SystemFile): string[] {
  const depended = new Set(Object.values(system.services).flatMap((s) => s.dependsOn));
  return Object.keys(system.services).filter((n) => !depended.has(n));
}

function httpUrl(svc: ServiceConfig | undefined): string | undefined {
  const http = svc?.health?.http;
  if (http === undefined) return undefined;
  return typeof http === 'string' ? http : http.url;
}

function hostPort(svc: ServiceConfig | undefined): string | undefined {
  const url = httpUrl(svc);
  if (url) {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  }
  return svc?.health?.tcp;
}

function sameAddress(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/^localhost:/, '127.0.0.1:').replace(/^\[::1\]:/, '127.0.0.1:');
  return norm(a) === norm(b);
}

export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function placeholder(param: TemplateParameter): string {
  switch (param.type) {
    case 'service':
      return 'service';
    case 'services':
      return 'service,service,…';
    case 'link':
      return 'service or caller.dependency';
    case 'choice':
      return (param.choices ?? []).join('|');
    default:
      return param.type;
  }
}

function typeProblem(param: TemplateParameter, value: string, system: SystemFile): string | undefined {
  const services = Object.keys(system.services);
  const unknown = (s: string) => {
    const hint = suggest(s, services);
    return `unknown service "${s}"${hint ? ` (did you mean "${hint}"?)` : ''}; the system file defines: ${services.join(', ')}`;
  };
  switch (param.type) {
    case 'service':
      return Object.hasOwn(system.services, value) ? undefined : unknown(value);
    case 'services': {
      const list = splitList(value);
      if (list.length === 0) return 'expected a comma-separated list of services';
      const bad = list.find((s) => !Object.hasOwn(system.services, s));
      return bad === undefined ? undefined : unknown(bad);
    }
    case 'link': {
      if (Object.hasOwn(system.services, value)) return undefined;
      const [caller, ...rest] = value.split('.');
      const svc = caller ? system.services[caller] : undefined;
      if (svc && rest.length > 0 && svc.proxies.some((p) => p.name === rest.join('.'))) return undefined;
      const links = Object.entries(system.services).flatMap(([c, s]) => s.proxies.map((p) => `${c}.${p.name}`));
      return `expected a service or a proxy link (caller.dependency), got "${value}"; the system file defines services ${services.join(', ')}${links.length ? ` and links ${links.join(', ')}` : ' and no proxy links'}`;
    }
    case 'duration':
      return parseDuration(value) === undefined ? `expected a duration such as 500ms, 5s or 1m30s, got "${value}"` : undefined;
    case 'rate':
      return value === '0' || parseRate(value) !== undefined ? undefined : `${RATE_HINT} (0: no load), got "${value}"`;
    case 'number':
      return value.trim() !== '' && Number.isFinite(Number(value)) ? undefined : `expected a number, got "${value}"`;
    case 'percent':
      return /^\d+(\.\d+)?%$/.test(value) && Number(value.slice(0, -1)) <= 100 ? undefined : `expected a percentage such as 10%, got "${value}"`;
    case 'url':
      try {
        const u = new URL(value);
        return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : `expected an http(s) URL, got "${value}"`;
      } catch {
        return `expected an http(s) URL, got "${value}"`;
      }
    case 'choice':
      return param.choices?.includes(value) ? undefined : `expected one of ${(param.choices ?? []).join(', ')}, got "${value}"`;
    case 'boolean':
      return /^(true|false|yes|no|1|0|on|off)$/i.test(value) ? undefined : `expected true or false, got "${value}"`;
    case 'string':
      return value === '' ? 'expected a value' : undefined;
  }
}

/** "Did you mean …?": the nearest name by edit distance (a swap of two letters counts as one), if close enough. */
export function suggest(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(input.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  const prefix = input.length >= 3 ? candidates.find((c) => c.startsWith(input)) : undefined;
  return bestDistance <= Math.max(1, Math.min(2, Math.floor(input.length / 2))) ? best : prefix;
}

/** Optimal string alignment distance. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
