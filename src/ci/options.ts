/**
 * What `faultline ci init` renders into a CI file, checked once here so the templates can insert
 * every value as it is: paths and patterns are limited to characters that need no quoting in YAML
 * or in a double-quoted shell word, and commands go into YAML literal blocks, which hold anything.
 */
import { readFileSync } from 'node:fs';
import { CronPattern } from 'croner';
import { UsageError } from '../errors/index.js';

/** How the system under test comes up before the experiments, and goes away after them. */
export type SystemStart =
  | { kind: 'compose'; file: string }
  | { kind: 'command'; command: string; stop?: string }
  | { kind: 'none' };

export interface CiOptions {
  /** Space-separated glob patterns of experiment files, expanded by bash (globstar on). */
  experiments: string;
  /** The system file passed to every run as --system; empty: none is passed. */
  system: string;
  start: SystemStart;
  /** Five-field cron, UTC on GitHub; on GitLab it goes into the schedule made in the UI. */
  cron: string;
  /** The secret (GitHub) or CI/CD variable (GitLab) holding the webhook URL for --notify. */
  notifySecret: string;
  /** Node.js major version of the CI image or setup-node. */
  node: number;
  /** What `npm install --global` installs: faultline@<version spec>, or a full spec (git URL, tarball). */
  installSpec: string;
}

/** The flags as commander hands them over (strings, all optional). */
export interface CiFlags {
  experiments?: string;
  system?: string;
  compose?: string;
  start?: string;
  stop?: string;
  cron?: string;
  notifySecret?: string;
  node?: string;
  faultline?: string;
}

export const CI_DEFAULTS = {
  experiments: 'chaos/*.yaml',
  system: 'faultline.yaml',
  cron: '0 6 * * 1',
  notifySecret: 'FAULTLINE_NOTIFY_URL',
  node: '20',
} as const;

/** Where faultline keeps its state in CI (a relative path: history keys are relative to its parent, the checkout). */
export const STATE_DIR = '.faultline';
export const HISTORY_DIR = `${STATE_DIR}/history`;
/** Each experiment's journal and reports go to reports/<name>/. */
export const REPORTS_DIR = 'reports';

const PATH_CHARS = /^[A-Za-z0-9_.,/@+=:~-]+$/;
// No braces: bash does not brace-expand the words of a variable, so {a,b} would match nothing.
const GLOB_CHARS = /^[A-Za-z0-9_.,/@+=:~*?[\]! -]+$/;
const SPEC_CHARS = /^[A-Za-z0-9_.,/@+=:~^<>*|# -]+$/;

export function faultlineVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function resolveCiOptions(flags: CiFlags): CiOptions {
  const experiments = (flags.experiments ?? CI_DEFAULTS.experiments).trim().split(/\s+/).join(' ');
  if (!GLOB_CHARS.test(experiments)) {
    throw new UsageError(`--experiments ${JSON.stringify(flags.experiments)}: expected space-separated glob patterns of letters, digits and _ . , / @ + = : ~ * ? [ ] ! - (no braces: give each pattern), e.g. "chaos/*.yaml smoke/*.yml"`);
  }
  // --system '': no --system at all, each experiment uses the system file it names itself.
  const system = flags.system === '' ? '' : path('--system', flags.system ?? CI_DEFAULTS.system);
  return {
    experiments,
    system,
    start: systemStart(flags),
    cron: cron(flags.cron ?? CI_DEFAULTS.cron),
    notifySecret: secretName(flags.notifySecret ?? CI_DEFAULTS.notifySecret),
    node: nodeMajor(flags.node ?? CI_DEFAULTS.node),
    installSpec: installSpec(flags.faultline ?? faultlineVersion()),
  };
}

function path(flag: string, value: string): string {
  if (!PATH_CHARS.test(value)) throw new UsageError(`${flag} ${JSON.stringify(value)}: expected a file path of letters, digits and _ . , / @ + = : ~ - (no spaces or quotes)`);
  return value;
}

function systemStart(flags: CiFlags): SystemStart {
  if (flags.compose !== undefined && flags.start !== undefined) throw new UsageError('--compose and --start cannot be combined: the system starts one way');
  if (flags.stop !== undefined && flags.start === undefined) throw new UsageError('--stop needs --start (with --compose the system is stopped with docker compose down -v)');
  if (flags.compose !== undefined) return { kind: 'compose', file: path('--compose', flags.compose) };
  if (flags.start !== undefined) {
    const command = flags.start.trim();
    if (command === '') throw new UsageError('--start: expected the command that starts the system');
    const stop = flags.stop?.trim();
    return { kind: 'command', command, ...(stop ? { stop } : {}) };
  }
  return { kind: 'none' };
}

/** Five fields, as GitHub and GitLab read them; ranges checked by croner, Quartz extras (L, W, #, ?, seconds) refused. */
function cron(value: string): string {
  const fields = value.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new UsageError(`--cron ${JSON.stringify(value)}: expected five fields (minute hour day-of-month month day-of-week), e.g. "0 6 * * 1" for Mondays at 06:00 UTC; got ${fields.length}`);
  }
  const bad = fields.findIndex((f, i) => !(i < 3 ? /^[0-9*,/-]+$/ : /^([0-9*,/-]|[A-Za-z]{3})+$/).test(f));
  if (bad !== -1) throw new UsageError(`--cron ${JSON.stringify(value)}: field ${bad + 1} (${fields[bad]}) may hold only digits, * , / - (and three-letter names for month and day of week)`);
  const normal = fields.join(' ');
  try {
    new CronPattern(normal, undefined, { mode: '5-part' });
  } catch (err) {
    throw new UsageError(`--cron ${JSON.stringify(value)}: ${(err as Error).message.replace(/^CronPattern: /, '')}`);
  }
  return normal;
}

function secretName(value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value) || /^GITHUB_/i.test(value)) {
    throw new UsageError(`--notify-secret ${JSON.stringify(value)}: expected a secret or variable name of letters, digits and _, not starting with a digit or GITHUB_`);
  }
  return value;
}

function nodeMajor(value: string): number {
  if (!/^\d{2}$/.test(value) || Number(value) < 20) throw new UsageError(`--node ${JSON.stringify(value)}: expected a Node.js major version, 20 or later (faultline needs Node.js >= 20)`);
  return Number(value);
}

/** A version or range becomes faultline@<it>; anything with a / or : (git URL, tarball, other name) is installed as given. */
function installSpec(value: string): string {
  const spec = value.trim();
  if (spec === '' || !SPEC_CHARS.test(spec)) throw new UsageError(`--faultline ${JSON.stringify(value)}: expected a version spec (0.1.0, ^0.1, latest) or an npm install spec without quotes or $`);
  return /[/:@]/.test(spec) ? spec : `faultline@${spec}`;
}
