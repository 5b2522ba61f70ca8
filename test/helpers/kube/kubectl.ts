/** Running the real kubectl against a stand-in, for tests. */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import type { KubeStandIn } from './index.js';

/**
 * kubectl keeps discovery in ~/.kube/cache per host:port for hours; a later stand-in on a reused
 * port would be read through a stale cache, so each stand-in gets its own, beside its kubeconfig.
 */
const base = (standIn: Pick<KubeStandIn, 'kubeconfigPath'>): string[] => ['--kubeconfig', standIn.kubeconfigPath, '--cache-dir', join(dirname(standIn.kubeconfigPath), 'cache')];

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Why kubectl tests cannot run here, or undefined when kubectl answers `version --client`. */
export function kubectlMissing(): string | undefined {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore', timeout: 30_000 });
    return undefined;
  } catch (err) {
    const why = `needs kubectl on PATH (${(err as Error).message.split('\n')[0]})`;
    // CI installs it (.ci/run): there, a skip would hide that these tests never ran.
    if (process.env.CI === 'true') throw new Error(`${why}; under CI=true that is a failure, not a skip`, { cause: err });
    return why;
  }
}

/** Run kubectl with the stand-in's kubeconfig; never rejects, the exit code is in the result. */
export function kubectl(standIn: Pick<KubeStandIn, 'kubeconfigPath'>, args: string[], input?: string): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile('kubectl', [...base(standIn), ...args], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** kubectl that must succeed: returns stdout, or throws with the command and its stderr. */
export async function kubectlOk(standIn: Pick<KubeStandIn, 'kubeconfigPath'>, args: string[], input?: string): Promise<string> {
  const r = await kubectl(standIn, args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** A long-running kubectl (e.g. --watch): its output so far, and a stop(). */
export function kubectlStream(standIn: Pick<KubeStandIn, 'kubeconfigPath'>, args: string[]): { child: ChildProcess; output: () => string; stop: () => void } {
  const child = spawn('kubectl', [...base(standIn), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  return { child, output: () => out, stop: () => void child.kill('SIGTERM') };
}

/** Split kubectl's `-o json --watch` output (pretty-printed objects, one after another) into objects. */
export function jsonStream(text: string): Record<string, unknown>[] {
  const objects: Record<string, unknown>[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') {
      if (depth++ === 0) start = i;
    } else if (ch === '}' && --depth === 0) objects.push(JSON.parse(text.slice(start, i + 1)) as Record<string, unknown>);
  }
  return objects;
}
