/**
 * A job as it runs: its options with the schedule's defaults and the command line's flags merged
 * in, its experiments loaded and validated (at start-up, and again at every tick so an edit takes
 * effect), and the services its faults may touch (two jobs that share one never run at once).
 */
import { dirname, resolve } from 'node:path';
import { loadExperimentOrCatalog } from '../catalog/resolve.js';
import { kinds } from '../cli/context.js';
import { splitTarget } from '../experiment/loader/check-references.js';
import type { LoadedExperiment } from '../experiment/loader/load-experiment.js';
import type { RollbackAction, Step } from '../experiment/schema/experiment.js';
import type { ReportFormatName } from '../reporters/formats.js';
import { REPORT_FORMATS } from '../reporters/formats.js';
import type { TimeWindows } from '../safety/time-windows.js';
import type { Webhook as Notify } from '../routine/webhook.js';
import type { JobSpec, ScheduleFile } from './schema.js';

/** Flags of `faultline schedule` that apply to every job (they win over the file). */
export interface ScheduleFlags {
  system?: string;
  notify?: string;
  failOnRegression?: boolean;
  formats?: ReportFormatName[];
}

export interface Job {
  name: string;
  cron: string;
  timezone?: string;
  jitterMs: number;
  windows?: TimeWindows;
  /** Absolute paths, or catalog:<name>. */
  experiments: string[];
  target?: string;
  set: string[];
  /** Absolute path, or undefined: the experiment's own (a catalog experiment: faultline.yaml beside the schedule file). */
  system?: string;
  /** The schedule file's directory. */
  dir: string;
  notify?: Notify;
  failOnRegression: boolean;
  catchUp: boolean;
  formats: ReportFormatName[];
}

export function jobsOf(file: ScheduleFile, scheduleFile: string, flags: ScheduleFlags): Job[] {
  const dir = dirname(resolve(scheduleFile));
  const d = file.defaults ?? {};
  return file.jobs.map((spec: JobSpec) => {
    const system = flags.system !== undefined ? resolve(flags.system) : (spec.system ?? d.system) !== undefined ? resolve(dir, (spec.system ?? d.system)!) : undefined;
    const notify: Notify | undefined = flags.notify !== undefined ? flags.notify : (spec.notify ?? d.notify);
    const timezone = spec.timezone ?? d.timezone;
    const windows = spec.windows ?? d.windows;
    const files = spec.suite ?? [spec.experiment!];
    return {
      name: spec.name,
      cron: spec.cron,
      ...(timezone !== undefined ? { timezone } : {}),
      jitterMs: spec.jitter ?? d.jitter ?? 0,
      ...(windows !== undefined ? { windows } : {}),
      dir,
      experiments: files.map((f) => (f.startsWith('catalog:') ? f : resolve(dir, f))),
      ...(spec.target !== undefined ? { target: spec.target } : {}),
      set: Object.entries(spec.set ?? {}).map(([k, v]) => `${k}=${String(v)}`),
      ...(system !== undefined ? { system } : {}),
      ...(notify !== undefined ? { notify } : {}),
      failOnRegression: flags.failOnRegression ?? spec.failOnRegression ?? d.failOnRegression ?? false,
      catchUp: spec.catchUp ?? d.catchUp ?? false,
      formats: flags.formats ?? spec.formats ?? d.formats ?? [...REPORT_FORMATS],
    };
  });
}

/** Loads and validates every experiment of the job (throws the loader's ValidationError). */
export async function loadJob(job: Job): Promise<LoadedExperiment[]> {
  const out: LoadedExperiment[] = [];
  for (const file of job.experiments) {
    // A catalog template has no file to sit beside: its system is the schedule's faultline.yaml.
    const systemFile = job.system ?? (file.startsWith('catalog:') ? resolve(job.dir, 'faultline.yaml') : undefined);
    out.push(await loadExperimentOrCatalog(file, { systemFile, ...(job.target !== undefined ? { target: job.target } : {}), set: job.set, kinds }));
  }
  return out;
}

/** The services the job's faults and rollbacks may touch (every alternative of a random choice). */
export function servicesTouched(loaded: readonly LoadedExperiment[]): Set<string> {
  const out = new Set<string>();
  const visit = (step: Step) => {
    if (step.type === 'fault') {
      const t = step.target;
      const refs = typeof t === 'string' ? [t] : Array.isArray(t) ? t : t.random;
      for (const ref of refs) out.add(splitTarget(ref)[0]);
    } else if (step.type !== 'wait') step.steps.forEach(visit);
  };
  for (const l of loaded) {
    l.experiment.method.forEach(visit);
    l.experiment.rollbacks.forEach((r: RollbackAction) => {
      if ('restart' in r) out.add(r.restart);
    });
  }
  return out;
}
