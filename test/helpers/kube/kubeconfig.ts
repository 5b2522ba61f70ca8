/**
 * A kubeconfig for the stand-in: one cluster, a user with no credentials, one context.
 * `insecure-skip-tls-verify` is set because client-node 1.x refuses a plain http:// server
 * without it ("HTTP protocol is not allowed when skipTLSVerify is not set or false").
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export function writeKubeconfig(url: string): { path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kube-stand-in-'));
  const path = join(dir, 'kubeconfig');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'stand-in', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'stand-in', user: {} }],
    contexts: [{ name: 'stand-in', context: { cluster: 'stand-in', user: 'stand-in', namespace: 'default' } }],
    'current-context': 'stand-in',
    preferences: {},
  };
  writeFileSync(path, stringify(config));
  return { path, dir };
}
