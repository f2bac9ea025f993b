import * as z from 'zod';
import { RecordId } from '../customers/customer.schema';

/** Stage keys are snake_case, unique within a pipeline (they are part of index keys: no `#`). */
export const StageKey = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be snake_case (a-z 0-9 _), starting with a letter');

/** Deal fields a stage may require, besides custom fields (`customFields.<key>`). */
export const REQUIRABLE_DEAL_FIELDS = ['amount', 'expectedCloseDate', 'contactIds'] as const;
export const RequiredField = z.union([
  z.enum(REQUIRABLE_DEAL_FIELDS),
  z.string().regex(/^customFields\.[a-z][a-zA-Z0-9_]{0,63}$/, 'must be amount, expectedCloseDate, contactIds or customFields.<key>'),
]);

export const STAGE_OUTCOMES = ['won', 'lost'] as const;

export const StageInput = z.strictObject({
  key: StageKey,
  name: z.string().trim().min(1).max(100),
  /** Win probability in percent (integer 0..100); a won stage is 100, a lost one 0. */
  probability: z.number().int().min(0).max(100),
  /** Terminal stages: a deal that enters one is closed (won or lost). */
  outcome: z.enum(STAGE_OUTCOMES).optional(),
  /** Deal fields that must have a value before a deal may enter this stage. */
  requiredFields: z.array(RequiredField).max(20).optional(),
  /** Days a deal may stay in this (open) stage before it is flagged stale. */
  slaDays: z.number().int().min(1).max(3650).optional(),
});
export type StageInput = z.infer<typeof StageInput>;
export type Stage = StageInput;

/**
 * The stage rules: at least one open stage, open stages first (in funnel order), then at most one
 * won and one lost terminal stage; unique keys; probabilities 100 (won) and 0 (lost); no SLA on
 * terminal stages.
 */
export const Stages = z.array(StageInput).min(1).max(30).superRefine((stages, ctx) => {
  const seen = new Set<string>();
  let terminalSeen = false;
  stages.forEach((s, i) => {
    if (seen.has(s.key)) ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `duplicate stage key ${s.key}` });
    seen.add(s.key);
    if (s.outcome) {
      terminalSeen = true;
      if (stages.filter((o) => o.outcome === s.outcome).length > 1 && stages.findIndex((o) => o.outcome === s.outcome) !== i) {
        ctx.addIssue({ code: 'custom', path: [i, 'outcome'], message: `at most one ${s.outcome} stage` });
      }
      if (s.outcome === 'won' && s.probability !== 100) ctx.addIssue({ code: 'custom', path: [i, 'probability'], message: 'a won stage has probability 100' });
      if (s.outcome === 'lost' && s.probability !== 0) ctx.addIssue({ code: 'custom', path: [i, 'probability'], message: 'a lost stage has probability 0' });
      if (s.slaDays !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'slaDays'], message: 'terminal stages have no SLA' });
    } else if (terminalSeen) {
      ctx.addIssue({ code: 'custom', path: [i, 'outcome'], message: 'open stages come before the won/lost stages' });
    }
  });
  if (!stages.some((s) => !s.outcome)) ctx.addIssue({ code: 'custom', path: [], message: 'at least one open stage' });
});

export const PipelineInput = z.strictObject({
  name: z.string().trim().min(1).max(100),
  description: z.string().max(1000).optional(),
  stages: Stages,
});
export type PipelineInput = z.infer<typeof PipelineInput>;

/** PATCH: any subset; `stages` replaces the whole list (stages are ordered, a merge would be ambiguous). */
export const UpdatePipelineInput = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  description: z.string().max(1000).nullable().optional(),
  stages: Stages.optional(),
});
export type UpdatePipelineInput = z.infer<typeof UpdatePipelineInput>;

export const Pipeline = z.object({
  id: RecordId,
  name: z.string(),
  description: z.string().optional(),
  stages: z.array(StageInput),
  /** Where the pipeline came from: `api` or `template:<name>`. */
  source: z.string(),
  /** For a template's pipeline: its name in the template (re-installs recognise it after a rename). */
  templatePipeline: z.string().optional(),
  /** Archived pipelines (DELETE) take no new deals and leave the list; their deals stay. */
  archivedAt: z.string().optional(),
  archivedBy: z.string().optional(),
  version: z.number().int().positive(),
  createdAt: z.string(),
  updatedAt: z.string(),
  createdBy: z.string(),
  updatedBy: z.string(),
});
export type Pipeline = z.infer<typeof Pipeline>;

export const ListPipelinesQuery = z.strictObject({
  archived: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});
export type ListPipelinesQuery = z.infer<typeof ListPipelinesQuery>;

export const PipelineList = z.object({ items: z.array(Pipeline) });

/** Sums per currency, in major units (a board never adds CNY to USD). */
export const CurrencyAmounts = z.record(z.string(), z.number());

export const BoardQuery = z.strictObject({
  /** Items per stage (0 = counts only). */
  limit: z.coerce.number().int().min(0).max(100).default(20),
  /** Only this stage (needed with `after`). */
  stage: StageKey.optional(),
  after: z.string().max(2048).optional(),
});
export type BoardQuery = z.infer<typeof BoardQuery>;
