import type { BuiltinLoadSpec, LoadRequest } from '../../src/load/spec.js';

/** A built-in load spec with the defaults filled, for tests. */
export function spec(url: string, over: Partial<BuiltinLoadSpec> = {}): BuiltinLoadSpec {
  return {
    url,
    connections: 2,
    pipelining: 1,
    timeoutMs: 5000,
    intervalMs: 1000,
    okStatus: ['2xx', '3xx'],
    requests: [request('/')],
    ...over,
  };
}

export function request(path: string, over: Partial<LoadRequest> = {}): LoadRequest {
  return { path, method: 'GET', headers: {}, weight: 1, ...over };
}
