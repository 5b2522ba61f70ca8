/**
 * One compose service → one system-file service: a compose target, a health check from a
 * published port, dependsOn, the container ports, and the comments that say where each came from.
 */
import type { DocPath } from '../experiment/loader/read-document.js';
import { fail, isRecord, warn, type MappingContext } from './context.js';
import { parseDependencies } from './dependencies.js';
import { parseHealthcheck, type HealthcheckInfo } from './healthcheck.js';
import { guessHttp, probePath } from './http-guess.js';
import { interpolateAll, type Environment } from './interpolate.js';
import { parsePorts, probeHost, type PortMapping } from './ports.js';

export interface PlannedService {
  name: string;
  config: {
    compose: { service: string; project: string };
    health?: { http: string } | { tcp: string };
    dependsOn: string[];
    ports?: number[];
  };
  /** Comment lines, by where they go in the output. */
  comments: {
    service: string[];
    health: string[];
    dependsOn?: string;
    ports?: string;
    end: string[];
  };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** The fields the mapping reads; only these are interpolated. */
const READ = ['image', 'build', 'ports', 'expose', 'healthcheck', 'depends_on', 'links', 'volumes_from', 'network_mode', 'deploy', 'scale', 'profiles'];

export function mapService(ctx: MappingContext, name: string, raw: unknown, project: string, known: ReadonlySet<string>, env: Environment): PlannedService | undefined {
  const path: DocPath = ['services', name];
  if (!NAME.test(name)) {
    fail(ctx, path, `compose service "${name}" cannot be a faultline service name: expected letters, digits, ".", "_" or "-", starting with a letter or digit`);
  }
  if (raw === null || raw === undefined) raw = {};
  if (!isRecord(raw)) {
    fail(ctx, path, 'expected a map (the service definition: image, ports, depends_on, …)');
    return undefined;
  }
  const svc: Record<string, unknown> = { ...raw };
  for (const key of READ) if (key in svc) svc[key] = interpolateAll(ctx, svc[key], env, [...path, key]);

  const comments: PlannedService['comments'] = { service: [], health: [], end: [] };
  const what = describeImage(svc);
  comments.service.push(`${name}: ${what}`);

  if (svc.extends !== undefined) {
    warn(ctx, path, 'extends is not supported: only what this file says about the service is mapped (ports, healthcheck and depends_on of the extended service are not)', 'extends');
    comments.service.push('extends: not followed — check ports, health and dependencies against the extended service');
  }
  if (svc.profiles !== undefined) {
    const profiles = Array.isArray(svc.profiles) ? svc.profiles.map(String).join(', ') : String(svc.profiles);
    warn(ctx, path, `profiles are not supported: the service is included, but Compose starts it only with profile ${profiles}`, 'profiles');
    comments.service.push(`only started by Compose with profile ${profiles} (profiles:)`);
  }
  const replicas = replicaCount(svc);
  if (replicas) comments.service.push(replicas.text);

  const healthcheck = parseHealthcheck(ctx, svc.healthcheck, [...path, 'healthcheck']);
  if (healthcheck?.disabled) comments.service.push('compose healthcheck: disabled');
  else if (healthcheck?.command) comments.service.push(`compose healthcheck: ${healthcheck.command}${healthcheck.interval ? ` (every ${healthcheck.interval})` : ''}`);

  const hostNetwork = svc.network_mode === 'host';
  const ports = hostNetwork ? [] : parsePorts(ctx, svc.ports, [...path, 'ports']);
  if (hostNetwork) comments.service.push('network_mode: host — ports: do not apply; the service listens on the host directly');

  const health = chooseHealth(ports, typeof svc.image === 'string' ? svc.image : undefined, healthcheck, comments);
  const config: PlannedService['config'] = { compose: { service: name, project }, ...(health ? { health } : {}), dependsOn: [] };
  if (!health) comments.end.push(...noHealthReason(name, ports, healthcheck, hostNetwork));
  else if (replicas && replicas.count !== 1) {
    comments.health.push('with several replicas this probe reaches one of them; without health: faultline waits for every replica through the engine');
  }

  const deps = parseDependencies(ctx, svc, path, known);
  config.dependsOn = deps.map((d) => d.service);
  if (deps.some((d) => d.condition || d.via !== 'depends_on')) {
    comments.dependsOn = deps.map((d) => `${d.service}${d.condition ? ` (${d.condition})` : ''}${d.via === 'depends_on' ? '' : ` (${d.via})`}`).join(', ');
  }

  const containerPorts = [...new Set([...ports.filter((p) => p.protocol === 'tcp').flatMap((p) => rangeOf(p.target, p.targetLast)), ...exposed(svc.expose)])];
  if (containerPorts.length > 0) {
    config.ports = containerPorts;
    comments.ports = 'container ports: what network faults match inside the container';
  }
  comments.end.push(`critical: true   # set this if losing ${name} is an outage: guardrails protect it and \`faultline random\` skips it`);
  return { name, config, comments };
}

function describeImage(svc: Record<string, unknown>): string {
  if (typeof svc.image === 'string') return `image ${svc.image}`;
  if (typeof svc.build === 'string') return `built from ${svc.build}`;
  if (isRecord(svc.build) && typeof svc.build.context === 'string') return `built from ${svc.build.context}`;
  return svc.extends !== undefined ? 'image and build from extends' : 'no image or build';
}

function replicaCount(svc: Record<string, unknown>): { text: string; count?: number } | undefined {
  const deploy = isRecord(svc.deploy) ? svc.deploy : {};
  if (deploy.mode === 'global') return { text: 'deploy.mode: global — one container per Swarm node' };
  const n = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);
  const replicas = n(deploy.replicas);
  if (replicas !== undefined) return { text: `${replicas} replica${replicas === 1 ? '' : 's'} (deploy.replicas: ${replicas})`, count: replicas };
  const scale = n(svc.scale);
  if (scale !== undefined) return { text: `${scale} replica${scale === 1 ? '' : 's'} (scale: ${scale})`, count: scale };
  return undefined;
}

function chooseHealth(ports: PortMapping[], image: string | undefined, healthcheck: HealthcheckInfo | undefined, comments: PlannedService['comments']): PlannedService['config']['health'] {
  const probeable = ports.filter((p) => p.protocol === 'tcp' && p.published !== undefined);
  if (probeable.length === 0) return undefined;
  const guesses = probeable.map((p) => ({ port: p, guess: guessHttp(p, image, healthcheck) }));
  const chosen = guesses.find((g) => g.guess.http) ?? guesses[0]!;
  const { port, guess } = chosen;
  const where = `${probeHost(port)}:${port.published}`;
  comments.health.push(`from ports "${port.text}": ${guess.http ? 'HTTP' : 'TCP'}, because ${guess.reason}`);
  const others = probeable.filter((p) => p !== port).map((p) => `"${p.text}"`);
  if (others.length > 0) comments.health.push(`also published: ${others.join(', ')}`);
  if (healthcheck?.command && !healthcheck.disabled) comments.health.push('the compose healthcheck still runs in the container; this probe checks the published port from outside');
  if (guess.http) {
    const path = probePath(port, healthcheck);
    if (path === '/') comments.health.push('expects a 2xx on /: point it at the service\'s health endpoint if it has one');
    return { http: `http://${where}${path}` };
  }
  return { tcp: where };
}

function noHealthReason(name: string, ports: PortMapping[], healthcheck: HealthcheckInfo | undefined, hostNetwork: boolean): string[] {
  const lines: string[] = [];
  const random = ports.filter((p) => p.protocol === 'tcp' && p.published === undefined);
  if (random.length > 0) lines.push(`container port ${random.map((p) => p.target).join(', ')} is published on a random host port, which faultline cannot know; publish a fixed one (e.g. "8080:${random[0]!.target}") to get a health check`);
  const udp = ports.filter((p) => p.protocol !== 'tcp');
  if (udp.length > 0) lines.push(`${udp.map((p) => `"${p.text}"`).join(', ')}: not TCP, not probed`);
  const why = hostNetwork ? 'host network' : 'no published TCP port';
  if (healthcheck && !healthcheck.disabled) {
    const own = healthcheck.command ? 'its compose healthcheck' : "the image's HEALTHCHECK, if it has one (the compose file only sets its timing)";
    lines.push(`no health: on purpose — ${why}, so faultline watches ${name} through the engine: every container running and healthy by ${own}`);
  } else {
    lines.push(`no health: — ${why} and no compose healthcheck, so faultline only sees whether ${name}'s containers are running;`);
    lines.push('add a check that calls the service, e.g.  health: { tcp: "127.0.0.1:PORT" }  or  health: { command: "…" }');
  }
  return lines;
}

/** `expose:` entries ("6379", "8000-8002", "9000/tcp"); UDP ones are left out. */
function exposed(value: unknown): number[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v) => {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/tcp)?$/.exec(String(v).trim());
    if (!m) return [];
    const first = Number(m[1]);
    const last = m[2] !== undefined ? Number(m[2]) : first;
    return first >= 1 && last >= first && last <= 65535 ? rangeOf(first, last) : [];
  });
}

/** Every port of a range, capped so a huge range cannot flood the file. */
function rangeOf(first: number, last: number): number[] {
  const out: number[] = [];
  for (let p = first; p <= last && out.length < 100; p++) out.push(p);
  return out;
}
