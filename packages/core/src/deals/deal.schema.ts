import * as z from 'zod';
import { CustomFields, CustomFieldValue, OrgPath, RecordId, UserRef } from '../customers/customer.schema';
import { CurrencyAmounts, StageKey } from '../pipelines/pipeline.schema';

/** A money amount in major units (yuan, euro); at most two decimals (as the channels' `amount`). */
export const DealAmount = z.number().nonnegative().max(1e12).refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, 'at most two decimals');
/** ISO 4217 code, upper case, known to the runtime's Intl data. */
const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
export const DealCurrency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as CNY').refine((c) => KNOWN_CURRENCIES.has(c), 'unknown ISO 4217 currency');
export const DealDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date (YYYY-MM-DD)')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'must be a real calendar date');

export const MAX_DEAL_CONTACTS = 20;

export const CreateDealInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  amount: DealAmount.optional(),
  currency: DealCurrency,
  expectedCloseDate: DealDate.optional(),
  /** Default: the calling user. */
  ownerId: UserRef.optional(),
  /** Default: the caller's org unit (or `/`). */
  orgPath: OrgPath.optional(),
  /** The company or person the deal is with; must be visible to the caller. */
  customerId: RecordId,
  /** Contacts (persons) involved. */
  contactIds: z.array(RecordId).max(MAX_DEAL_CONTACTS).optional(),
  pipelineId: RecordId,
  /** An open stage of the pipeline; default its first stage. */
  stage: StageKey.optional(),
  customFields: CustomFields.optional(),
});
export type CreateDealInput = z.infer<typeof CreateDealInput>;

/** JSON merge patch; stage and pipeline change only through POST /v1/deals/{id}/stage. */
export const UpdateDealInput = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  amount: DealAmount.nullable().optional(),
  currency: DealCurrency.optional(),
  expectedCloseDate: DealDate.nullable().optional(),
  ownerId: UserRef.optional(),
  orgPath: OrgPath.optional(),
  customerId: RecordId.optional(),
  contactIds: z.array(RecordId).max(MAX_DEAL_CONTACTS).optional(),
  customFields: z.record(z.string(), z.union([CustomFieldValue, z.null()])).optional(),
}).refine((p) => Object.keys(p).length > 0, 'send at least one field');
export type UpdateDealInput = z.infer<typeof UpdateDealInput>;

export const ChangeDealStageInput = z.strictObject({
  stage: StageKey,
  /** Required to enter a won or lost stage. */
  reason: z.string().trim().min(1).max(500).optional(),
});
export type ChangeDealStageInput = z.infer<typeof ChangeDealStageInput>;

export const Deal = z.object({
  id: RecordId,
  name: z.string(),
  amount: z.number().optional(),
  currency: z.string(),
  expectedCloseDate: z.string().optional(),
  ownerId: z.string(),
  orgPath: z.string(),
  customerId: RecordId,
  contactIds: z.array(RecordId),
  pipelineId: RecordId,
  stage: z.string(),
  stageEnteredAt: z.string(),
  /** Set while the deal is in a terminal stage. */
  outcome: z.enum(['won', 'lost']).optional(),
  closedAt: z.string().optional(),
  closeReason: z.string().optional(),
  /** Past its stage's SLA (set by the `deal-stale` timer; cleared by the next stage change). */
  stale: z.boolean().optional(),
  staleSince: z.string().optional(),
  customFields: z.record(z.string(), z.unknown()).optional(),
  version: z.number().int().positive(),
  createdAt: z.string(),
  updatedAt: z.string(),
  createdBy: z.string(),
  updatedBy: z.string(),
  deletedAt: z.string().optional(),
  deletedBy: z.string().optional(),
});
export type Deal = z.infer<typeof Deal>;

export const StageHistoryEntry = z.object({
  id: z.string(),
  dealId: z.string(),
  pipelineId: z.string(),
  /** Absent for the entry that records creation. */
  from: z.string().optional(),
  to: z.string(),
  at: z.string(),
  by: z.string(),
  /** Time spent in `from` (0 on creation). */
  durationMs: z.number().int().nonnegative(),
  reason: z.string().optional(),
});
export type StageHistoryEntry = z.infer<typeof StageHistoryEntry>;

const Cursor = z.string().max(2048);

export const ListDealsQuery = z.strictObject({
  pipelineId: RecordId.optional(),
  /** Needs `pipelineId` (stage keys are per pipeline). */
  stage: StageKey.optional(),
  ownerId: UserRef.optional(),
  customerId: RecordId.optional(),
  /** Expected close date range (inclusive); deals without a date are outside every range. */
  closeFrom: DealDate.optional(),
  closeTo: DealDate.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  after: Cursor.optional(),
}).refine((q) => !q.stage || q.pipelineId, { message: 'stage needs pipelineId', path: ['stage'] })
  .refine((q) => !q.closeFrom || !q.closeTo || q.closeFrom <= q.closeTo, { message: 'closeFrom is after closeTo', path: ['closeFrom'] });
export type ListDealsQuery = z.infer<typeof ListDealsQuery>;

export const DealPage = z.object({ items: z.array(Deal), next: z.string().optional() });
export const HistoryQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(50), after: Cursor.optional() });
export type HistoryQuery = z.infer<typeof HistoryQuery>;
export const StageHistoryPage = z.object({ items: z.array(StageHistoryEntry), next: z.string().optional() });

export const BoardStage = z.object({
  key: z.string(),
  name: z.string(),
  probability: z.number(),
  outcome: z.enum(['won', 'lost']).optional(),
  /** Live deals in the stage (within the caller's org subtree; the whole tenant for tenant scope). */
  count: z.number().int().nonnegative(),
  /** Sums per currency, major units. */
  amount: CurrencyAmounts,
  /** First deals of the stage by expected close date (soonest first; undated last). */
  items: z.array(Deal),
  next: z.string().optional(),
});
export const Board = z.object({
  pipelineId: z.string(),
  /** Whose deals the counts cover: `/` (the tenant), the caller's org subtree, or null (own data scope: no counts). */
  countScope: z.string().nullable(),
  stages: z.array(BoardStage),
});
export type Board = z.infer<typeof Board>;
