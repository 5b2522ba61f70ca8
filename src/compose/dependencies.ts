/**
 * What a compose service depends on: `depends_on` (list form, or map form with conditions),
 * plus what Compose itself orders by — `links`, `volumes_from` and `network_mode: service:X`.
 */
import type { DocPath } from '../experiment/loader/read-document.js';
import { fail, isRecord, shown, warn, type MappingContext } from './context.js';

export interface Dependency {
  service: string;
  /** depends_on map form: service_started, service_healthy, service_completed_successfully. */
  condition?: string;
  via: 'depends_on' | 'links' | 'volumes_from' | 'network_mode';
}

const CONDITIONS = ['service_started', 'service_healthy', 'service_completed_successfully'];

/** The dependencies of one compose service, each named once (depends_on first). Unknown services are errors, except `required: false`. */
export function parseDependencies(ctx: MappingContext, svc: Record<string, unknown>, path: DocPath, known: ReadonlySet<string>): Dependency[] {
  const out: Dependency[] = [];
  const add = (dep: Dependency, at: DocPath, required = true): void => {
    if (!known.has(dep.service)) {
      const message = `${dep.via} names service "${dep.service}", which the compose file does not define (it defines: ${[...known].join(', ')})`;
      if (required) fail(ctx, at, message);
      else warn(ctx, at, `${message}; it is optional (required: false), so it is left out`);
      return;
    }
    if (!out.some((d) => d.service === dep.service)) out.push(dep);
  };

  const dependsOn = svc.depends_on;
  const dpath = [...path, 'depends_on'];
  if (Array.isArray(dependsOn)) {
    dependsOn.forEach((name, i) => {
      if (typeof name !== 'string' || !name) fail(ctx, [...dpath, i], `expected a service name, got ${shown(name)}`);
      else add({ service: name, via: 'depends_on' }, [...dpath, i]);
    });
  } else if (isRecord(dependsOn)) {
    for (const [name, spec] of Object.entries(dependsOn)) {
      if (spec !== null && !isRecord(spec)) {
        fail(ctx, [...dpath, name], `expected { condition: service_started | service_healthy | service_completed_successfully }, got ${shown(spec)}`);
        continue;
      }
      const condition = spec?.condition;
      if (condition !== undefined && (typeof condition !== 'string' || !CONDITIONS.includes(condition))) {
        fail(ctx, [...dpath, name, 'condition'], `expected one of ${CONDITIONS.join(', ')}, got ${shown(condition)}`);
        continue;
      }
      add({ service: name, via: 'depends_on', ...(typeof condition === 'string' ? { condition } : {}) }, [...dpath, name], spec?.required !== false);
    }
  } else if (dependsOn !== undefined && dependsOn !== null) {
    fail(ctx, dpath, `expected a list of service names or a map of service name to { condition }, got ${shown(dependsOn)}`);
  }

  if (Array.isArray(svc.links)) {
    svc.links.forEach((link, i) => {
      if (typeof link === 'string' && link) add({ service: link.split(':')[0]!, via: 'links' }, [...path, 'links', i]);
    });
  }
  if (Array.isArray(svc.volumes_from)) {
    svc.volumes_from.forEach((from, i) => {
      if (typeof from !== 'string' || !from || from.startsWith('container:')) return;
      add({ service: from.replace(/^service:/, '').split(':')[0]!, via: 'volumes_from' }, [...path, 'volumes_from', i]);
    });
  }
  if (typeof svc.network_mode === 'string' && svc.network_mode.startsWith('service:')) {
    add({ service: svc.network_mode.slice('service:'.length), via: 'network_mode' }, [...path, 'network_mode']);
  }
  return out;
}
