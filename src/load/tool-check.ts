/**
 * Before anything runs: is the external load tool there? A k6 that is not installed would
 * otherwise show up only at the end of the run, as a load error after every fault was injected.
 * The program is the first word of the command (an argv list's first element; in a shell string
 * the first plain word after `VAR=value` assignments and `exec`/`env`/`command`/`nohup`/`time`).
 * Shell builtins and commands that start with shell syntax are not checked: only what can be
 * known for sure is refused.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { CommandLoadSpec } from './spec.js';

const PREFIXES = new Set(['exec', 'env', 'command', 'nohup', 'time']);
const BUILTINS = new Set(
  ['.', ':', '[', 'alias', 'bg', 'break', 'case', 'cd', 'continue', 'echo', 'eval', 'exit', 'export', 'false', 'fg', 'for', 'getopts', 'hash', 'if', 'jobs', 'kill', 'printf', 'pwd', 'read', 'readonly', 'return', 'set', 'shift', 'source', 'test', 'times', 'trap', 'true', 'type', 'ulimit', 'umask', 'unalias', 'unset', 'until', 'wait', 'while', '{', '!'],
);
/** A word the shell takes literally: no quotes, expansions, globs or redirections in it. */
const PLAIN = /^[A-Za-z0-9_./+@%,:-]+$/;
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

const HOW_TO_INSTALL: Record<string, string> = {
  k6: 'install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/)',
  artillery: 'install Artillery (npm install -g artillery)',
  autocannon: 'install autocannon (npm install -g autocannon)',
};

/** A sentence saying why the tool cannot run, or undefined when it is there (or cannot be known before it runs). */
export function loadToolProblem(spec: Pick<CommandLoadSpec, 'command' | 'env' | 'format'>, cwd: string): string | undefined {
  const program = programOf(spec.command);
  if (program === undefined) return undefined;
  const name = program.split('/').at(-1)!;
  const install = HOW_TO_INSTALL[name] ?? HOW_TO_INSTALL[spec.format] ?? 'install it';
  if (program.includes('/')) {
    const path = isAbsolute(program) ? program : resolve(cwd, program);
    if (isExecutableFile(path)) return undefined;
    const exists = statSync(path, { throwIfNoEntry: false });
    const why = exists === undefined ? 'not found' : exists.isFile() ? 'not executable' : 'not a file';
    return `${program} ${why} (${path}; a relative path is from the experiment file's folder): ${install}, or fix the path in load.command`;
  }
  const searchPath = spec.env?.PATH ?? process.env.PATH ?? '';
  const dirs = [...new Set(searchPath.split(delimiter).filter((d) => d !== ''))];
  if (dirs.some((dir) => isExecutableFile(join(resolve(cwd, dir), program)))) return undefined;
  return `${program} not found on PATH (${dirs.join(delimiter) || 'PATH is empty'}): ${install}, or give its full path in load.command`;
}

/** The program a command runs, when it can be read from the command without running a shell. */
export function programOf(command: string | readonly string[]): string | undefined {
  if (typeof command !== 'string') return command[0] === undefined || command[0] === '' ? undefined : command[0];
  const words = command.trim().split(/\s+/);
  let i = 0;
  while (i < words.length && (ASSIGNMENT.test(words[i]!) || PREFIXES.has(words[i]!))) i++;
  const word = words[i];
  if (word === undefined || !PLAIN.test(word) || word.startsWith('-') || BUILTINS.has(word)) return undefined;
  return word;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
