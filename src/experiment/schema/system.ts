/** The system file (`faultline.yaml`): the services an experiment may touch and watch. */
import { z } from 'zod';
import { defaultContainerHealth } from '../../drivers/docker/health.js';
import { duration, exactlyOneCall, name, probeCall, regex } from './common.js';
import { kubernetesCluster, kubernetesTarget } from './kubernetes.js';

const restartPolicy = z
  .strictObject({
    policy: z.enum(['never', 'on-failure', 'always']).default('never'),
    delay: duration.default(1000),
    maxRestarts: z.number().int().min(0).optional().describe('Give up after this many restarts (default: unlimited)'),
  })
  .describe('What the supervisor does when the process exits');

const processTarget = z
  .strictObject({
    command: z.union([z.string().min(1), z.array(z.string()).min(1)]).describe('Shell command (string) or argv (list); run with cwd relative to the system file'),
    cwd: z.string().optional(),
    env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
    restart: restartPolicy.optional(),
    readyTimeout: duration.default(15_000).describe('How long to wait for the health check to pass after start'),
    stopSignal: z.enum(['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGKILL']).default('SIGTERM'),
    stopTimeout: duration.default(5000).describe('After stopSignal, wait this long before SIGKILL'),
  })
  .describe('A process faultline spawns and supervises');

export const healthCheck = z
  .strictObject({
    ...probeCall,
    expectStatus: z.union([z.number().int(), z.array(z.number().int())]).optional(),
    body: regex.optional().describe('Regular expression the HTTP body must match'),
    expectExitCode: z.number().int().optional(),
    interval: duration.optional().describe('Probe interval while watching (default: the run\'s probe interval)'),
  })
  .superRefine(exactlyOneCall)
  .describe('How to tell that the service is healthy');

const proxyDecl = z.strictObject({
  name,
  listen: z.string().regex(/^(.+:)?\d{1,5}$/, 'expected host:port or port'),
  upstream: z.string().regex(/^.+:\d{1,5}$/, 'expected host:port'),
});

const composeTarget = z
  .strictObject({
    service: z.string().min(1).describe('The service name in the compose file (the com.docker.compose.service label)'),
    project: z.string().min(1).optional().describe('The compose project (com.docker.compose.project label; default: the name of the system file\'s directory, as docker-compose does)'),
  })
  .describe('All containers of a Compose service');

const swarmTarget = z.strictObject({ service: z.string().min(1).describe('The Swarm service name') }).describe('The running tasks of a Swarm service');

export const service = z
  .strictObject({
    description: z.string().optional(),
    process: processTarget.optional(),
    pid: z.number().int().positive().optional().describe('Attach to a running process by pid'),
    pidFile: z.string().optional().describe('Attach to the process whose pid is in this file'),
    match: regex.optional().describe('Attach to running processes whose command line matches this regular expression'),
    endpoint: z.string().optional().describe('Watch only: no process faults'),
    container: z.string().min(1).optional().describe('A Docker container by name or id'),
    compose: composeTarget.optional(),
    swarm: swarmTarget.optional(),
    kubernetes: kubernetesTarget.optional(),
    dockerHost: z
      .string()
      .regex(/^(unix:\/\/\/|\/|tcp:\/\/|https?:\/\/)\S+$/, 'expected an engine address such as unix:///var/run/docker.sock or tcp://10.0.0.5:2375')
      .optional()
      .describe('The Docker engine of a container, compose or swarm service (default: DOCKER_HOST, else unix:///var/run/docker.sock)'),
    health: healthCheck.optional().describe('How to tell that the service is healthy (container, compose and swarm services without one are watched through the engine: running, and healthy by their own HEALTHCHECK)'),
    dependsOn: z.array(name).default([]),
    critical: z.boolean().default(false),
    proxies: z.array(proxyDecl).default([]),
    ports: z.array(z.number().int().min(1).max(65535)).min(1).optional().describe('Ports the service listens on: what linux network faults match in its network namespace (default: its health check\'s port)'),
  })
  .superRefine((svc, ctx) => {
    const targets = (['process', 'pid', 'pidFile', 'match', 'endpoint', 'container', 'compose', 'swarm', 'kubernetes'] as const).filter((k) => svc[k] !== undefined);
    if (targets.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          targets.length === 0
            ? 'expected a target: one of process, pid, pidFile, match, endpoint, container, compose, swarm or kubernetes'
            : `expected one target, got ${targets.join(' and ')}`,
      });
    }
    if (svc.dockerHost !== undefined && svc.container === undefined && svc.compose === undefined && svc.swarm === undefined) {
      ctx.addIssue({ code: 'custom', path: ['dockerHost'], message: 'dockerHost applies to container, compose and swarm services only' });
    }
  })
  // A docker service with no health check is watched through the engine's view of its containers.
  .transform((svc) => {
    const health = svc.health === undefined ? defaultContainerHealth(svc) : undefined;
    return health ? { ...svc, health: health as z.output<typeof healthCheck> } : svc;
  });

export const systemSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().optional(),
    environment: z.string().min(1).optional().describe('Where these services run: production (or prod) means every experiment on them needs an approval; staging, dev, … are free-form'),
    requiresApproval: z.boolean().optional().describe('Every experiment on this system runs only with a valid approval (`faultline approve`); see docs/approvals.md'),
    probeInterval: duration.optional().describe('Default interval for health probes (default 250ms)'),
    kubernetes: kubernetesCluster.optional(),
    services: z.record(name, service),
  })
  .superRefine((system, ctx) => {
    // Every kubernetes service acts in a namespace the allow-list names: checked here, before any run.
    for (const [svcName, svc] of Object.entries(system.services)) {
      const ns = svc.kubernetes?.namespace;
      if (ns === undefined) continue;
      const path = ['services', svcName, 'kubernetes', 'namespace'];
      if (system.kubernetes === undefined) ctx.addIssue({ code: 'custom', path, message: `a kubernetes service needs the cluster block: kubernetes: { namespaces: [${ns}] } at the top of the system file` });
      else if (!system.kubernetes.namespaces.includes(ns)) ctx.addIssue({ code: 'custom', path, message: `namespace ${ns} is not in kubernetes.namespaces (${system.kubernetes.namespaces.join(', ')}): add it there to allow faults in it` });
    }
  })
  // A kubernetes service with no health check is watched through the API: its pods all Ready.
  .transform((system) => {
    const cluster = system.kubernetes;
    const services = Object.fromEntries(
      Object.entries(system.services).map(([svcName, svc]) => {
        if (!svc.kubernetes || svc.health) return [svcName, svc];
        const { container: _container, ...pods } = svc.kubernetes;
        const call = { ...pods, ...(cluster?.kubeconfig ? { kubeconfig: cluster.kubeconfig } : {}), ...(cluster?.context ? { context: cluster.context } : {}) };
        return [svcName, { ...svc, health: { kubernetes: call } as z.output<typeof healthCheck> }];
      }),
    );
    return { ...system, services };
  })
  .describe('faultline system file');

export type SystemFile = z.output<typeof systemSchema>;
export type ServiceConfig = z.output<typeof service>;
export type HealthCheck = z.output<typeof healthCheck>;
export type ProcessConfig = z.output<typeof processTarget>;
