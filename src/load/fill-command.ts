/**
 * `{report}` in a load command becomes the report file's path. In an argv list each argument is
 * passed as is, so the path goes in literally; in a shell string it is quoted for the shell where
 * it stands — bare, inside '…' or inside "…" — so a path with spaces, quotes or `$` stays one
 * word and is never run as code. (Quoting is not undone inside a heredoc body: the placeholder
 * belongs on the command line.)
 */
export const REPORT = '{report}';

type Quote = '' | "'" | '"';

/** The argv to spawn: a shell string runs under /bin/sh -c. */
export function fillCommand(command: string | readonly string[], report: string | undefined): string[] {
  if (typeof command !== 'string') return command.map((a) => (report === undefined ? a : a.split(REPORT).join(report)));
  return ['/bin/sh', '-c', report === undefined ? command : fillShell(command, REPORT, report)];
}

export function usesReport(command: string | readonly string[]): boolean {
  return (typeof command === 'string' ? [command] : command).some((a) => a.includes(REPORT));
}

/** Replaces every `placeholder` in a shell command line with `value`, quoted for the quoting context it appears in. */
export function fillShell(command: string, placeholder: string, value: string): string {
  let out = '';
  let quote: Quote = '';
  for (let i = 0; i < command.length; ) {
    if (command.startsWith(placeholder, i)) {
      out += quoted(value, quote);
      i += placeholder.length;
      continue;
    }
    const c = command[i]!;
    if (quote === "'") {
      if (c === "'") quote = '';
    } else if (c === '\\') {
      // Outside single quotes a backslash takes the next character with it (\' and \" open nothing).
      out += command.slice(i, i + 2);
      i += 2;
      continue;
    } else if (quote === '"') {
      if (c === '"') quote = '';
    } else if (c === "'" || c === '"') quote = c;
    out += c;
    i++;
  }
  return out;
}

function quoted(value: string, quote: Quote): string {
  if (quote === "'") return value.replace(/'/g, "'\\''");
  if (quote === '"') return value.replace(/[\\"$`]/g, '\\$&');
  return `'${value.replace(/'/g, "'\\''")}'`;
}
