/**
 * The game day plan: a title, who facilitates, where to announce it, and the experiments in the
 * order they are meant to run, each with an optional brief for the room. Every experiment is
 * loaded and validated before the day starts: a typo found at 3 pm is a day lost.
 */
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { loadExperimentOrCatalog } from '../catalog/resolve.js';
import { kinds } from '../cli/context.js';
import { ValidationError, isValidationError, type ValidationIssue } from '../errors/index.js';
import type { LoadedExperiment } from '../experiment/loader/load-experiment.js';
import { readStructured } from '../experiment/loader/read-document.js';
import { fromZod, issueAt } from '../experiment/loader/zod-issues.js';
import { duration } from '../util/duration-schema.js';
import { webhookSchema, type Webhook } from '../routine/webhook.js';

const item = z.union([
  z.string().min(1),
  z.strictObject({
    name: z.string().min(1).optional().describe("What the room calls it (default: the experiment's title)"),
    experiment: z.string().min(1).describe('An experiment file, or catalog:<name>'),
    target: z.string().min(1).optional().describe('catalog experiments: the service to aim at'),
    set: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional().describe('catalog experiments: template parameters'),
    brief: z.string().optional().describe('Shown to the facilitator before it starts: what to watch, who to warn'),
  }),
]);

export const planSchema = z
  .strictObject({
    title: z.string().min(1),
    facilitator: z.string().min(1).optional(),
    system: z.string().min(1).optional().describe("System file for every experiment (default: each experiment's own)"),
    announce: webhookSchema.optional().describe('POST a Slack-compatible message here when the day starts and when it ends'),
    notify: webhookSchema.optional().describe('POST a summary here when a run does not pass (as `faultline run --notify`)'),
    auto: z.boolean().default(false).describe('Start each experiment `gap` after the previous one (default: wait for `next`)'),
    gap: duration.default(30_000).describe('With auto: the pause between two experiments'),
    experiments: z.array(item).min(1, 'expected at least one experiment'),
  })
  .describe('faultline game day plan');

export interface PlanItem {
  name: string;
  file: string;
  brief?: string;
  loaded: LoadedExperiment;
}

export interface GamedayPlan {
  title: string;
  facilitator?: string;
  absPath: string;
  announce?: Webhook;
  notify?: Webhook;
  auto: boolean;
  gapMs: number;
  items: PlanItem[];
}

/** Reads the plan and loads every experiment in it; all problems in one ValidationError. */
export async function loadPlan(file: string, options: { system?: string } = {}): Promise<GamedayPlan> {
  const doc = await readStructured(file);
  const parsed = planSchema.safeParse(doc.data);
  if (!parsed.success) throw new ValidationError(fromZod(doc, parsed.error));
  const plan = parsed.data;
  const dir = dirname(doc.absPath);
  const system = options.system !== undefined ? resolve(options.system) : plan.system !== undefined ? resolve(dir, plan.system) : undefined;
  const issues: ValidationIssue[] = [];
  const items: PlanItem[] = [];
  for (const [i, raw] of plan.experiments.entries()) {
    const spec = typeof raw === 'string' ? { experiment: raw } : raw;
    const ref = spec.experiment.startsWith('catalog:') ? spec.experiment : resolve(dir, spec.experiment);
    const target = 'target' in spec ? spec.target : undefined;
    const set = 'set' in spec && spec.set ? Object.entries(spec.set).map(([k, v]) => `${k}=${String(v)}`) : [];
    if ((target !== undefined || set.length) && !ref.startsWith('catalog:')) {
      issues.push(issueAt(doc, ['experiments', i], 'target and set apply to a catalog experiment (experiment: catalog:<name>)'));
      continue;
    }
    try {
      // A catalog template has no file to sit beside: its system is the plan's faultline.yaml.
      const systemFile = system ?? (ref.startsWith('catalog:') ? resolve(dir, 'faultline.yaml') : undefined);
      const loaded = await loadExperimentOrCatalog(ref, { systemFile, ...(target !== undefined ? { target } : {}), set, kinds });
      items.push({ name: ('name' in spec ? spec.name : undefined) ?? loaded.experiment.title, file: spec.experiment, ...('brief' in spec && spec.brief ? { brief: spec.brief } : {}), loaded });
    } catch (err) {
      if (isValidationError(err)) issues.push(...err.issues.map((issue) => ({ ...issue, message: `${issue.message} (experiments[${i}] of ${doc.file})` })));
      else issues.push(issueAt(doc, ['experiments', i], (err as Error).message));
    }
  }
  if (issues.length) throw new ValidationError(issues);
  return {
    title: plan.title,
    ...(plan.facilitator ? { facilitator: plan.facilitator } : {}),
    absPath: doc.absPath,
    ...(plan.announce ? { announce: plan.announce } : {}),
    ...(plan.notify ? { notify: plan.notify } : {}),
    auto: plan.auto,
    gapMs: plan.gap,
    items,
  };
}
