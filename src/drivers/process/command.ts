/** How a `process.command` from the system file becomes a program and its arguments. */

// Anything that makes a command more than one simple command: lists, pipes, background jobs,
// subshells, compound statements. Checked on the raw text (quotes included), which errs towards
// leaving the shell in place.
const COMPOUND = /[;&|()`\n]|\$\(|^\s*(if|for|while|until|case|select|function|\{|!)(\s|$)/;
// Leading `NAME=value` assignments must stay in front of `exec` (`exec FOO=1 node` would try to run `FOO=1`).
const ASSIGNMENTS = /^\s*((?:[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|"(?:[^"\\]|\\.)*"|[^\s'"])*\s+)*)/;

/**
 * Rewrites a simple shell command so the shell `exec`s it: the spawned pid is then the program
 * itself, not a shell waiting for it, and signals (kill, pause) reach the program. Compound
 * commands are left alone; their pid is the shell's (use an argv to avoid that).
 */
export function execShellCommand(command: string): string {
  // `2>&1`-style redirections contain `&` but keep the command simple.
  if (COMPOUND.test(command.replace(/\d*[<>]&(\d+|-)/g, '')) || /^\s*exec\s/.test(command)) return command;
  const assignments = ASSIGNMENTS.exec(command)?.[1] ?? '';
  return `${assignments}exec ${command.slice(assignments.length).trimStart()}`;
}

/** A string runs through /bin/sh (with `exec`); an argv runs directly. */
export function commandArgs(command: string | string[]): { file: string; args: string[] } {
  if (typeof command === 'string') return { file: '/bin/sh', args: ['-c', execShellCommand(command)] };
  const [file, ...args] = command;
  if (file === undefined) throw new Error('empty command');
  return { file, args };
}

/** The command as a person would type it, for messages. */
export function describeCommand(command: string | string[]): string {
  return typeof command === 'string' ? command : command.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}
