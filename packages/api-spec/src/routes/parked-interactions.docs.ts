import * as z from 'zod';
import { AssignParkedInput, Interaction, ParkedInteractionPage, RecordId } from '@crm/core';
import type { RouteDoc } from '../route-doc';

const IdParams = z.object({ id: RecordId.describe('Parked interaction id (it stays the interaction id once assigned)') });
const ParkedDocQuery = z.object({
  limit: z.number().int().min(1).max(200).optional().describe('Page size (default 50)'),
  after: z.string().optional().describe('The `next` cursor of the previous page'),
});

/** Interactions parked for an unknown identity (tenant policy `unknownIdentity: park`). */
export const parkedInteractionDocs: Record<string, RouteDoc> = {
  'list-parked-interactions': { query: ParkedDocQuery, ok: { 200: ParkedInteractionPage }, errors: [400, 403] },
  'assign-parked-interaction': { params: IdParams, body: AssignParkedInput, ok: { 200: Interaction }, errors: [400, 403, 404, 409, 415, 422] },
  'discard-parked-interaction': { params: IdParams, ok: { 204: undefined }, errors: [403, 404] },
};
