/** The header of a generated CI file: what made it, with which flags, and where the why is written. */
import { CI_DEFAULTS, faultlineVersion, type CiOptions } from './options.js';

export type CiPlatform = 'github' | 'gitlab';

/** The flags that reproduce `o` (defaults left out; the faultline version only when it is not this package's). */
export function initCommand(platform: CiPlatform, o: CiOptions): string {
  const flags: string[] = [`--${platform}`];
  const add = (flag: string, value: string, byDefault?: string) => {
    if (value !== byDefault) flags.push(flag, shellWord(value));
  };
  add('--experiments', o.experiments, CI_DEFAULTS.experiments);
  add('--system', o.system, CI_DEFAULTS.system);
  if (o.start.kind === 'compose') add('--compose', o.start.file);
  if (o.start.kind === 'command') {
    add('--start', o.start.command);
    if (o.start.stop !== undefined) add('--stop', o.start.stop);
  }
  add('--cron', o.cron, CI_DEFAULTS.cron);
  add('--notify-secret', o.notifySecret, CI_DEFAULTS.notifySecret);
  add('--node', String(o.node), CI_DEFAULTS.node);
  add('--faultline', o.installSpec, `faultline@${faultlineVersion()}`);
  return `faultline ci init ${flags.join(' ')}`;
}

export function generatedBy(platform: CiPlatform, o: CiOptions): string {
  const lines = [
    `Chaos experiments on a schedule and on demand, written by faultline ${faultlineVersion()}:`,
    `  ${initCommand(platform, o)}`,
    'Edit it freely (regenerating it needs --force). What each part does and why: docs/ci.md of faultline.',
  ];
  return lines.map((l) => `# ${l}`).join('\n');
}

/** A word bash reads back as `value`, on one line (a header comment cannot hold a newline): $'…' when it has one. */
function shellWord(value: string): string {
  if (/^[\w./@:=+-]+$/.test(value)) return value;
  if (!/[\r\n'\\]/.test(value)) return `'${value}'`;
  return `$'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}
