/**
 * http-error and http-delay as HTTPChaos. The proxy driver's kinds sit between a client and a
 * dependency; Chaos Mesh's HTTPChaos sits in front of the selected pods' server: it redirects the
 * container `port` (iptables) to a proxy in the pod's network namespace. So the target is the
 * service whose answers change, and `port` — the container port it listens on — is required:
 * Chaos Mesh has no default and the system file's kubernetes target names no ports.
 *
 * http-error replaces the status (and body, headers) of the answers (`target: Response`): unlike
 * the proxy's, the request still reaches the service. `abort: true` drops the request instead
 * (`target: Request`): the client sees the connection close, no status. HTTPChaos acts on every
 * matching request, so `probability` below 1 cannot be expressed.
 */
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { duration } from '../../../util/duration-schema.js';
import { share } from '../../proxy/toxics.js';
import { podMode } from '../pod-mode.js';
import { goDuration } from './go-duration.js';
import { commonSpec } from './params.js';
import type { ChaosMeshKind } from './types.js';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT'] as const;

const match = {
  mode: podMode,
  port: z.number().int().min(1).max(65535).describe('Kubernetes only, required: the container port the service listens on (Chaos Mesh proxies that port in the pod)'),
  path: z.string().min(1).optional().describe('Kubernetes only: only requests to this path (* wildcards; default all)'),
  method: z.enum(METHODS).optional().describe('Kubernetes only: only requests with this method'),
  probability: share(1)
    .refine((v) => v === 1, { message: "Chaos Mesh's HTTPChaos acts on every matching request, so a share cannot be expressed: leave probability out, narrow the requests with path or method, or the pods with mode" })
    .describe('Kubernetes: only 1 (every matching request)'),
};

function matchSpec(p: { port: number; path?: string | undefined; method?: string | undefined }): Record<string, unknown> {
  return { port: p.port, ...(p.path !== undefined ? { path: p.path } : {}), ...(p.method !== undefined ? { method: p.method } : {}) };
}

const errorParams = z
  .strictObject({
    ...match,
    status: z.number().int().min(200).max(599).optional().describe('HTTP status of the answers (default 503)'),
    body: z.string().optional().describe('Response body (default: a line naming the status)'),
    headers: z.record(z.string(), z.string()).optional().describe('Extra response headers'),
    abort: z.boolean().default(false).describe('Kubernetes only: drop the requests instead (the client sees the connection close, no status)'),
  })
  .superRefine((p, ctx) => {
    if (!p.abort) return;
    for (const key of ['status', 'body', 'headers'] as const) {
      if (p[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `abort drops the request, so there is no answer to give a ${key}: remove ${key} or abort` });
    }
  });
export type ChaosMeshHttpErrorParams = z.output<typeof errorParams>;

export const httpErrorChaos: ChaosMeshKind<ChaosMeshHttpErrorParams> = {
  name: 'http-error',
  crdKind: 'HTTPChaos',
  plural: 'httpchaos',
  summary: "Replace the status of the pods' HTTP answers on a port (Chaos Mesh HTTPChaos), or abort the requests",
  timing: 'held',
  params: errorParams,
  spec: (p, selection, o) => {
    if (p.abort) return { ...commonSpec(p.mode, selection, o.durationMs), target: 'Request', ...matchSpec(p), abort: true };
    const status = p.status ?? 503;
    const body = p.body ?? `${status} ${STATUS_CODES[status] ?? 'Error'} (faultline http-error)\n`;
    const replace = { code: status, body: Buffer.from(body).toString('base64'), ...(p.headers && Object.keys(p.headers).length ? { headers: { ...p.headers } } : {}) };
    return { ...commonSpec(p.mode, selection, o.durationMs), target: 'Response', ...matchSpec(p), replace };
  },
};

const delayParams = z.strictObject({
  ...match,
  delay: duration.default(1000).describe('How long a request waits, e.g. 500ms'),
  jitter: duration
    .optional()
    .refine((j) => j === undefined || j === 0, { message: "Chaos Mesh's HTTPChaos delays every request by the same time: remove jitter (net-delay has jitter, for all of the pods' packets)" })
    .describe('Kubernetes: only 0 (Chaos Mesh has no HTTP jitter)'),
});
export type ChaosMeshHttpDelayParams = z.output<typeof delayParams>;

export const httpDelayChaos: ChaosMeshKind<ChaosMeshHttpDelayParams> = {
  name: 'http-delay',
  crdKind: 'HTTPChaos',
  plural: 'httpchaos',
  summary: "Delay the HTTP requests to the pods on a port before they reach the service (Chaos Mesh HTTPChaos)",
  timing: 'held',
  params: delayParams,
  spec: (p, selection, o) => ({ ...commonSpec(p.mode, selection, o.durationMs), target: 'Request', ...matchSpec(p), delay: goDuration(p.delay) }),
};
