import * as z from 'zod';
import { FieldDefinition, FieldDefinitionInput, ListFieldsQuery } from '@crm/core';
import type { RouteDoc } from '../route-doc';

const FieldDoc = FieldDefinition.meta({ id: 'FieldDefinition' });
const Params = z.object({ objectType: z.string(), key: z.string() });

export const fieldDocs: Record<string, RouteDoc> = {
  'list-fields': { query: ListFieldsQuery, ok: { 200: z.object({ items: z.array(FieldDoc) }) }, errors: [400] },
  'put-field': { params: Params, headers: z.object({ 'if-match': z.string().optional() }), body: FieldDefinitionInput, ok: { 200: FieldDoc }, errors: [400, 404, 409, 412, 428] },
  'remove-field': { params: Params, ok: { 204: undefined }, errors: [404] },
};
