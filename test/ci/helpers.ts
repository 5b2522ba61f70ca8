/** The generated CI files as data, and their run script executed by bash the way the platforms run it. */
import { spawn } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderGithubWorkflow } from '../../src/ci/github.js';
import { renderGitlabCi } from '../../src/ci/gitlab.js';
import { resolveCiOptions, type CiFlags } from '../../src/ci/options.js';

export interface GithubStep {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string | number | boolean>;
}
export interface GithubWorkflow {
  on: { schedule: { cron: string }[]; workflow_dispatch: null };
  permissions: Record<string, string>;
  concurrency: { group: string; 'cancel-in-progress': boolean };
  jobs: { chaos: { 'runs-on': string; env: Record<string, string>; steps: GithubStep[] } };
}

export function githubWorkflow(flags: CiFlags = {}): { text: string; workflow: GithubWorkflow } {
  const text = renderGithubWorkflow(resolveCiOptions(flags));
  return { text, workflow: parse(text) as GithubWorkflow };
}

export function gitlabCi(flags: CiFlags = {}): { text: string; doc: Record<string, unknown> } {
  const text = renderGitlabCi(resolveCiOptions(flags));
  return { text, doc: parse(text) as Record<string, unknown> };
}

/** The step that runs the experiments, with the environment the workflow gives it. */
export function experimentsStep(workflow: GithubWorkflow): GithubStep & { run: string; env: Record<string, string> } {
  const step = workflow.jobs.chaos.steps.find((s) => s.id === 'experiments');
  if (!step?.run || !step.env) throw new Error('the workflow has no step with id "experiments" and a run script');
  return step as GithubStep & { run: string; env: Record<string, string> };
}

/** A directory holding an executable `faultline` that runs `body` (a shell script). */
export async function faultlineOnPath(dir: string, body: string): Promise<string> {
  const bin = join(dir, 'bin');
  await mkdir(bin, { recursive: true });
  await writeFile(join(bin, 'faultline'), `#!/bin/sh\n${body}\n`);
  await chmod(join(bin, 'faultline'), 0o755);
  return bin;
}

export interface BashResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `scriptFile` as GitHub's `shell: bash` does (bash --noprofile --norc -eo pipefail FILE). */
export function runBash(scriptFile: string, options: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<BashResult> {
  const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', scriptFile], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
