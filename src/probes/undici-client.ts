/**
 * undici for the probes, loaded on first use: about a hundred modules that commands which never
 * probe (validate, experiments show, schema, …) need not load at start-up. Probes await it
 * before their clock starts, so the first probe's latency never includes loading it.
 */
import type * as Undici from 'undici';

export interface ProbeClient {
  request: typeof Undici.request;
  agent: Undici.Agent;
}

let lib: Promise<typeof Undici> | undefined;

/** A function giving undici's `request` and one keep-alive agent made with `options`, both made once. */
export function lazyClient(options: Undici.Agent.Options): () => Promise<ProbeClient> {
  let client: Promise<ProbeClient> | undefined;
  return () => (client ??= (lib ??= import('undici')).then((u) => ({ request: u.request, agent: new u.Agent(options) })));
}
