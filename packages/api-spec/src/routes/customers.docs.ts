import * as z from 'zod';
import { CreateCustomerInput, Customer, CustomerPage, GetCustomerQuery, ListCustomersQuery, RecordId, UpdateCustomerInput } from '@crm/core';
import type { RouteDoc } from '../route-doc';

const CustomerDoc = Customer.meta({ id: 'Customer' });
const CustomerPageDoc = CustomerPage.extend({ items: z.array(CustomerDoc) }).meta({ id: 'CustomerPage' });
const IdParams = z.object({ id: RecordId });
const IfMatch = z.object({ 'if-match': z.string().describe('The ETag of the version you read') });

export const customerDocs: Record<string, RouteDoc> = {
  'create-customer': {
    body: CreateCustomerInput,
    headers: z.object({ 'idempotency-key': z.string().max(255).optional().describe('Retries with the same key and body replay the first response') }),
    ok: { 201: CustomerDoc },
    errors: [400, 413, 415, 422],
  },
  'list-customers': { query: ListCustomersQuery, ok: { 200: CustomerPageDoc }, errors: [400] },
  'get-customer': { params: IdParams, query: GetCustomerQuery, ok: { 200: CustomerDoc }, errors: [404] },
  'update-customer': { params: IdParams, headers: IfMatch, body: UpdateCustomerInput, ok: { 200: CustomerDoc }, errors: [400, 404, 412, 415, 428] },
  'delete-customer': { params: IdParams, headers: z.object({ 'if-match': z.string().optional() }), ok: { 204: undefined }, errors: [404, 412] },
  'restore-customer': { params: IdParams, ok: { 200: CustomerDoc }, errors: [404, 409] },
  'claim-customer': { params: IdParams, ok: { 200: CustomerDoc }, errors: [404, 409] },
  'release-customer': { params: IdParams, ok: { 200: CustomerDoc }, errors: [403, 404, 409] },
};
