import * as z from 'zod';
import { Customer, CustomerSettings, CustomerSettingsInput, DuplicateCandidate, DuplicateGroup, JobView, ListGroupsQuery, MergeCustomersInput, MergeRecord, RecordId } from '@crm/core';
import type { RouteDoc } from '../route-doc';

const IdParams = z.object({ id: RecordId });
const CustomerRef = Customer.meta({ id: 'Customer' });
const Duplicates = z.object({
  items: z.array(DuplicateCandidate),
  /** Matches outside the caller's data domain: counted, never described. */
  hiddenMatches: z.number().int(),
}).meta({ id: 'DuplicateCandidates' });
const MergeResult = z.object({ mergeId: z.string(), survivor: CustomerRef }).meta({ id: 'MergeResult' });
const UndoResult = z.object({ merge: MergeRecord, survivor: CustomerRef }).meta({ id: 'UndoMergeResult' });
const IfMatch = z.object({ 'if-match': z.string().describe('The ETag you read ("0" while the tenant has the defaults)') });

export const duplicateDocs: Record<string, RouteDoc> = {
  'list-customer-duplicates': { params: IdParams, ok: { 200: Duplicates }, errors: [404, 409] },
  'merge-customers': { body: MergeCustomersInput, ok: { 200: MergeResult }, errors: [400, 403, 404, 409, 412, 415] },
  'get-merge': { params: IdParams, ok: { 200: MergeRecord }, errors: [404] },
  'undo-merge': { params: IdParams, ok: { 200: UndoResult }, errors: [404, 409, 412] },
  'start-duplicate-scan': { ok: { 202: JobView }, errors: [403] },
  'get-duplicate-scan': { params: IdParams, ok: { 200: JobView }, errors: [404] },
  'list-duplicate-groups': { params: IdParams, query: ListGroupsQuery, ok: { 200: z.object({ items: z.array(DuplicateGroup), next: z.string().nullable() }).meta({ id: 'DuplicateGroupPage' }) }, errors: [400, 404] },
  'get-customer-settings': { ok: { 200: CustomerSettings }, errors: [403] },
  'put-customer-settings': { headers: IfMatch, body: CustomerSettingsInput.meta({ id: 'CustomerSettingsInput' }), ok: { 200: CustomerSettings }, errors: [400, 403, 412, 415, 428] },
};
