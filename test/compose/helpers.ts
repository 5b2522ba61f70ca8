/** Shared by the compose tests: fixture paths, and a temp dir holding a copy of a fixture. */
import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot, tempDir } from '../helpers/cli.js';

export const fixtures = join(repoRoot, 'test', 'compose', 'fixtures');

/** A fresh temp dir; `copy` puts fixture files (relative to fixtures/) into it, optionally under another name or folder. */
export async function workspace(cleanups: (() => Promise<void>)[]): Promise<{ dir: string; copy: (from: string, to?: string) => Promise<string> }> {
  const t = await tempDir('faultline-compose-');
  cleanups.push(t.cleanup);
  return {
    dir: t.path,
    copy: async (from, to = from.split('/').pop()!) => {
      const dest = join(t.path, to);
      await mkdir(join(dest, '..'), { recursive: true });
      await cp(join(fixtures, from), dest);
      return dest;
    },
  };
}

export interface GeneratedService {
  compose: { service: string; project: string };
  health?: { http?: string; tcp?: string };
  dependsOn?: string[];
  ports?: number[];
  critical?: boolean;
}

export function parseSystemText(text: string): { name?: string; services: Record<string, GeneratedService> } {
  return parse(text) as { name?: string; services: Record<string, GeneratedService> };
}
