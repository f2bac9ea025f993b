import * as z from 'zod';
import { InteractionBatchInput, InteractionBatchResult, InteractionInputDoc, InteractionResult, InteractionSettings, InteractionSettingsInput, Interaction, RecordId, TimelinePage, ChannelIdSchema } from '@crm/core';
import type { RouteDoc } from '../route-doc';

const IdParams = z.object({ id: RecordId });
const IdempotencyKey = z.object({ 'idempotency-key': z.string().optional().describe('Stands in for a missing clientId (batch: `<key>#<index>` per item)') });
const IfMatch = z.object({ 'if-match': z.string().describe('The ETag you read ("0" while the tenant has the defaults)') });
const Recorded = InteractionResult.omit({ index: true }).extend({ interaction: Interaction.optional() }).meta({ id: 'RecordedInteraction' });
const TimelineDocQuery = z.object({
  limit: z.number().int().min(1).max(200).optional().describe('Page size (default 50)'),
  after: z.string().optional().describe('The `next` cursor of the previous page'),
  channel: ChannelIdSchema.optional(),
  type: z.string().optional().describe('An interaction type id, e.g. message, call, purchase'),
  from: z.string().optional().describe('Inclusive lower bound of occurredAt (ISO 8601)'),
  to: z.string().optional().describe('Inclusive upper bound of occurredAt (ISO 8601)'),
});
const BatchBody = InteractionBatchInput.extend({ items: z.array(InteractionInputDoc).min(1).max(500) }).meta({ id: 'InteractionBatchInput' });

export const interactionDocs: Record<string, RouteDoc> = {
  'record-interaction': { headers: IdempotencyKey, body: InteractionInputDoc, ok: { 201: Recorded, 200: Recorded, 202: Recorded }, errors: [400, 403, 404, 415, 422] },
  'record-interactions-batch': { headers: IdempotencyKey, body: BatchBody, ok: { 200: InteractionBatchResult }, errors: [400, 403, 413, 415] },
  'get-customer-timeline': { params: IdParams, query: TimelineDocQuery, ok: { 200: TimelinePage }, errors: [400, 404] },
  'get-interaction-settings': { ok: { 200: InteractionSettings }, errors: [403] },
  'put-interaction-settings': { headers: IfMatch, body: InteractionSettingsInput.meta({ id: 'InteractionSettingsInput' }), ok: { 200: InteractionSettings }, errors: [400, 403, 412, 415, 428] },
};
