/** Reads and validates a schedule file, then every job's experiments: all problems in one error, before anything runs. */
import { ValidationError, isValidationError, type ValidationIssue } from '../errors/index.js';
import { readStructured } from '../experiment/loader/read-document.js';
import { fromZod, issueAt } from '../experiment/loader/zod-issues.js';
import { jobsOf, loadJob, type Job, type ScheduleFlags } from './job.js';
import { scheduleSchema } from './schema.js';

export async function loadSchedule(file: string, flags: ScheduleFlags): Promise<Job[]> {
  const doc = await readStructured(file);
  const parsed = scheduleSchema.safeParse(doc.data);
  if (!parsed.success) throw new ValidationError(fromZod(doc, parsed.error));
  const jobs = jobsOf(parsed.data, doc.absPath, flags);
  const issues: ValidationIssue[] = [];
  for (const [i, job] of jobs.entries()) {
    try {
      await loadJob(job);
    } catch (err) {
      if (isValidationError(err)) issues.push(...err.issues.map((issue) => ({ ...issue, message: `${issue.message} (job ${job.name})` })));
      else issues.push(issueAt(doc, ['jobs', i], `job ${job.name}: ${(err as Error).message}`));
    }
  }
  if (issues.length) throw new ValidationError(issues);
  return jobs;
}
