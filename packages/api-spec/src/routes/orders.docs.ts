import * as z from 'zod';
import { CreateOrderInput, Order, OrderPage, OrderStats, RecordId, UpdateOrderInput, ORDER_STATUSES } from '@crm/core';
import type { RouteDoc } from '../route-doc';

const IdParams = z.object({ id: RecordId });
const IfMatch = z.object({ 'if-match': z.string().describe('The ETag you read') });
// The runtime schemas canonicalise instants (a transform the document cannot show): documented plainly here.
const CreateOrderDoc = CreateOrderInput.extend({
  orderedAt: z.iso.datetime({ offset: true }).describe('When the order was placed (ISO 8601 instant)'),
  externalId: z.string().min(1).max(200).optional().describe("The shop's order number: one order per tenant, source and externalId. Re-posting the same order answers 200 with it; different content answers 409"),
  source: z.string().optional().describe('pos, ecommerce, manual (default), … (snake_case)'),
}).meta({ id: 'CreateOrderInput' });
const ListOrdersDocQuery = z.object({
  customerId: RecordId.optional().describe("One customer's orders (a merged id answers with its survivor's); omit for the whole tenant"),
  status: z.enum(ORDER_STATUSES).optional(),
  from: z.string().optional().describe('Inclusive lower bound of orderedAt (ISO 8601)'),
  to: z.string().optional().describe('Inclusive upper bound of orderedAt (ISO 8601)'),
  sort: z.enum(['asc', 'desc']).optional().describe('By orderedAt; default desc (newest first)'),
  limit: z.number().int().min(1).max(200).optional().describe('Page size (default 50)'),
  after: z.string().optional().describe('The `next` cursor of the previous page'),
});

export const orderDocs: Record<string, RouteDoc> = {
  'create-order': { body: CreateOrderDoc, ok: { 201: Order, 200: Order }, errors: [400, 404, 409, 415, 503] },
  'list-orders': { query: ListOrdersDocQuery, ok: { 200: OrderPage }, errors: [400, 404] },
  'get-order': { params: IdParams, ok: { 200: Order }, errors: [404] },
  'update-order': { params: IdParams, headers: IfMatch, body: UpdateOrderInput, ok: { 200: Order }, errors: [400, 404, 409, 412, 415, 428, 503] },
  'get-customer-order-stats': { params: IdParams, ok: { 200: OrderStats }, errors: [404] },
};
