import * as z from 'zod';
import { CreateCustomerInput, Customer, CustomerPage, GetCustomerQuery, ListCustomersQuery, RecordId, UpdateCustomerInput } from '@crm/core';
import type { RouteDoc } from '../route-doc';

const CustomerDoc = Customer.meta({ id: 'Customer' });
const CustomerPageDoc = CustomerPage.extend({ items: z.array(CustomerDoc) }).meta({ id: 'CustomerPage' });
const IdParams = z.object({ id: RecordId });
/**
 * Custom-field filters are named after the field (`cf.<key>`), so they are documented with a
 * placeholder; one custom field per request.
 */
const ListCustomersDocQuery = ListCustomersQuery.extend({
  'cf.{key}': z.string().optional().describe('Equality filter on a filterable custom field, e.g. `cf.level=gold` (text compares case-insensitively; multi-enum matches any option). 400 if the field is not filterable, 409 while its index is still being built'),
  'cf.{key}.gte': z.string().optional().describe('Lower bound (inclusive) on a filterable number, currency, date or datetime field; results come in value order'),
  'cf.{key}.lte': z.string().optional().describe('Upper bound (inclusive) on a filterable number, currency, date or datetime field'),
});
const IfMatch = z.object({ 'if-match': z.string().describe('The ETag of the version you read') });

export const customerDocs: Record<string, RouteDoc> = {
  'create-customer': {
    body: CreateCustomerInput,
    headers: z.object({ 'idempotency-key': z.string().max(255).optional().describe('Retries with the same key and body replay the first response') }),
    ok: { 201: CustomerDoc },
    errors: [400, 413, 415, 422],
  },
  'list-customers': { query: ListCustomersDocQuery, ok: { 200: CustomerPageDoc }, errors: [400, 409] },
  'get-customer': { params: IdParams, query: GetCustomerQuery, ok: { 200: CustomerDoc }, errors: [404] },
  'update-customer': { params: IdParams, headers: IfMatch, body: UpdateCustomerInput, ok: { 200: CustomerDoc }, errors: [400, 404, 409, 412, 415, 428] },
  'delete-customer': { params: IdParams, headers: z.object({ 'if-match': z.string().optional() }), ok: { 204: undefined }, errors: [404, 409, 412] },
  'restore-customer': { params: IdParams, ok: { 200: CustomerDoc }, errors: [404, 409] },
  'claim-customer': { params: IdParams, ok: { 200: CustomerDoc }, errors: [404, 409] },
  'release-customer': { params: IdParams, ok: { 200: CustomerDoc }, errors: [403, 404, 409] },
};
