import * as z from 'zod';
import { RecordId } from './customer.schema';

export const MERGE_RULES = ['survivor', 'most-recent', 'most-complete'] as const;

/** Fields a merge can take from one chosen record. */
export const MERGEABLE_FIELDS = ['name', 'phones', 'emails', 'tags', 'address', 'ownerId', 'orgPath', 'companyId'] as const;
const MergeFieldPath = z.union([z.enum(MERGEABLE_FIELDS), z.string().regex(/^customFields\.[a-z][a-zA-Z0-9_]{0,63}$/)]);

export const MergeCustomersInput = z.strictObject({
  survivorId: RecordId,
  mergeIds: z.array(RecordId).min(1).max(10).refine((ids) => new Set(ids).size === ids.length, 'ids must be distinct'),
  /**
   * How a field is chosen when `fields` does not say: survivor (its value; gaps filled from the
   * others), most-recent (from the most recently updated record that has one) or most-complete
   * (from the record with the most filled fields). Phones, emails and tags are united unless chosen.
   */
  rule: z.enum(MERGE_RULES).default('survivor'),
  /** Per field (`name`, `address`, `customFields.<key>`, …): the id of the record whose value wins. */
  fields: z.record(MergeFieldPath, RecordId).default({}),
});
export type MergeCustomersInput = z.infer<typeof MergeCustomersInput>;

export const MERGE_STATUSES = ['merging', 'merged', 'undoing', 'undone'] as const;

export const MergeRecord = z.object({
  mergeId: z.string(),
  status: z.enum(MERGE_STATUSES),
  survivorId: RecordId,
  mergedIds: z.array(RecordId),
  rule: z.enum(MERGE_RULES),
  fields: z.record(z.string(), z.string()),
  /** Contacts (persons) of merged companies moved to the surviving company. */
  movedContacts: z.number().int().nonnegative(),
  createdAt: z.string(),
  createdBy: z.string(),
  undoneAt: z.string().optional(),
  undoneBy: z.string().optional(),
}).meta({ id: 'MergeRecord' });
export type MergeRecord = z.infer<typeof MergeRecord>;
