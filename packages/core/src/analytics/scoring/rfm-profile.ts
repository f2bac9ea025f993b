import * as z from 'zod';
import { RFM_SEGMENTS, type RfmSegment } from '../rfm-segments';
import type { Item } from '../../ports/table-store.port';

/**
 * The RFM scores a scheduled job (score-rfm) writes onto each scored customer profile: the segment
 * id, the R/F/M quintile scores (1..5, 5 = best) and the raw figures, of one currency, as of the run.
 * Server-owned and read-only in the API; filterable with `GET /v1/customers?rfmSegment=<id>`.
 */

/** snake_case of a segment name: `important value` → `important_value`. */
export function rfmSegmentId(segment: RfmSegment | string): RfmSegmentId {
  return segment.replace(/ /g, '_') as RfmSegmentId;
}

export const RFM_SEGMENT_IDS = RFM_SEGMENTS.map((s) => s.name.replace(/ /g, '_')) as unknown as readonly [
  'important_value', 'important_development', 'important_retention', 'important_recall',
  'general_value', 'general_development', 'general_retention', 'general_recall',
];
export type RfmSegmentId = (typeof RFM_SEGMENT_IDS)[number];
export const RfmSegmentIdSchema = z.enum(RFM_SEGMENT_IDS);

const Score = z.number().int().min(1).max(5);

export const RfmProfile = z.object({
  /** One of the 8 classic segments (R/F/M high or low against the tenant average), snake_case. */
  segment: RfmSegmentIdSchema,
  /** Quintile scores 1..5 (5 = most recent / most frequent / most spent). */
  r: Score,
  f: Score,
  m: Score,
  /** Days (UTC calendar dates) from the last paid order to the scoring date. */
  recencyDays: z.number().int().nonnegative(),
  /** Paid orders. */
  frequency: z.number().int().nonnegative(),
  /** Paid amount in major units of `currency`. */
  monetary: z.number().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  /** When these figures were last written (they are as of that day). */
  scoredAt: z.iso.datetime(),
});
export type RfmProfile = z.infer<typeof RfmProfile>;

export const RFM_INDEX_ENTITY = 'customer-rfm';

/**
 * Profile attribute the score-rfm job sets (to the run's time) when it removes a profile's `rfm`.
 * The job keeps the profile version, so this orders the removal after the last `rfm.scoredAt` for
 * consumers that rank images of the same version ({@link rfmWriteStamp}). Not part of the API shape.
 */
export const RFM_CLEARED_AT = 'rfmClearedAt';

/** The latest score-rfm write on a profile image (scored or cleared; '' when none): orders images of the same version. */
export function rfmWriteStamp(image: Record<string, unknown>): string {
  const scoredAt = (image.rfm as { scoredAt?: unknown } | undefined)?.scoredAt;
  const cleared = image[RFM_CLEARED_AT];
  const stamps = [scoredAt, cleared].filter((s): s is string => typeof s === 'string');
  return stamps.sort().at(-1) ?? '';
}

/** The RFM segment membership index: one item per (segment, customer), sorted by customer id. */
export const rfmKeys = {
  segmentPartition: (tenantId: string, segment: string) => `T#${tenantId}#RFM#${segment}`,
  member: (tenantId: string, segment: string, customerId: string) => ({ pk: rfmKeys.segmentPartition(tenantId, segment), sk: customerId }),
};

/**
 * The segment membership item of a live scored customer (none for deleted or merged ones). Part of
 * the customer's derived items (packages/core/src/customers/derived-items.ts), so deletes, restores
 * and merges keep it in step; the score-rfm job moves it when the segment changes.
 */
export function rfmIndexItems(tenantId: string, c: { id: string; rfm?: { segment: string } | undefined; deletedAt?: string | undefined; mergedInto?: string | undefined }): Item[] {
  if (!c.rfm || c.deletedAt || c.mergedInto) return [];
  return [{ ...rfmKeys.member(tenantId, c.rfm.segment, c.id), entity: RFM_INDEX_ENTITY, tenantId, customerId: c.id, segment: c.rfm.segment }];
}
