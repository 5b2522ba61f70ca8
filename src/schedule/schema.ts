/**
 * The schedule file: jobs, each an experiment file, a catalog template or a suite of experiments,
 * with a cron expression (seconds optional, croner's syntax), jitter, time windows, and the
 * options `faultline run` takes (system, notification, regression gate). `defaults:` applies to
 * every job that does not say otherwise.
 */
import { Cron } from 'croner';
import { z } from 'zod';
import { duration } from '../util/duration-schema.js';
import { timeWindows, timezone } from '../experiment/schema/guardrails.js';
import { REPORT_FORMATS } from '../reporters/formats.js';
import { webhookSchema } from '../routine/webhook.js';

const cron = z.string().superRefine((expr, ctx) => {
  try {
    new Cron(expr, { paused: true }).stop();
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `expected a cron expression (5 fields, or 6 with seconds first: "*/30 * * * * *"): ${(err as Error).message}` });
  }
});

const jobOptions = {
  system: z.string().min(1).optional().describe("System file (default: the experiment's `system`, or faultline.yaml beside it)"),
  timezone: timezone.optional().describe('Time zone of the cron expression (IANA, e.g. Europe/Berlin; default: this machine\'s)'),
  jitter: duration.optional().describe('Start each run a random delay up to this long after its tick (spreads load on shared systems)'),
  windows: timeWindows.optional().describe('When the job may run: a tick outside them is skipped and recorded'),
  notify: webhookSchema.optional().describe('POST a summary here when a run does not pass (a URL, or { env: NAME })'),
  failOnRegression: z.boolean().optional().describe('Count a run worse than the previous one of the same experiment as failed'),
  catchUp: z.boolean().optional().describe('After a restart, run once at once if a tick was missed while the scheduler was down'),
  formats: z.array(z.enum(REPORT_FORMATS)).optional().describe('Reports to write besides journal.json (default: all)'),
};

const job = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a name of letters, digits, ".", "_" and "-" (it names the job in commands: --once NAME)'),
    cron,
    experiment: z.string().min(1).optional().describe('An experiment file, or catalog:<name>'),
    suite: z.array(z.string().min(1)).min(1).optional().describe('Experiment files run one after another in one tick'),
    target: z.string().min(1).optional().describe('catalog experiments: the service to aim at (as --target)'),
    set: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional().describe('catalog experiments: template parameters (as --set)'),
    ...jobOptions,
  })
  .superRefine((j, ctx) => {
    if ((j.experiment === undefined) === (j.suite === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['experiment'], message: 'expected exactly one of experiment (a file or catalog:<name>) and suite (a list of files)' });
    }
    if ((j.target !== undefined || j.set !== undefined) && !j.experiment?.startsWith('catalog:')) {
      ctx.addIssue({ code: 'custom', path: [j.target !== undefined ? 'target' : 'set'], message: 'target and set apply to a catalog experiment (experiment: catalog:<name>)' });
    }
  });

export const scheduleSchema = z
  .strictObject({
    defaults: z.strictObject(jobOptions).optional().describe('Options for every job that does not set them'),
    jobs: z.array(job).min(1, 'expected at least one job'),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.jobs.forEach((j, i) => {
      if (seen.has(j.name)) ctx.addIssue({ code: 'custom', path: ['jobs', i, 'name'], message: `duplicate job name "${j.name}"` });
      seen.add(j.name);
    });
  })
  .describe('faultline schedule');

export type ScheduleFile = z.output<typeof scheduleSchema>;
export type JobSpec = ScheduleFile['jobs'][number];
