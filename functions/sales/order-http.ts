import { etagOf, maskRecord, type AccessPolicy, type Order } from '@crm/core';
import { json, type HttpResult } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';

/** The order `{id}` path parameter (404 when malformed). */
export function orderIdParam(params: Record<string, string>): string {
  return recordIdParam(params, 'Order');
}

/** An order response without the fields hidden from the caller (`orders` field rules), with its ETag. */
export function orderResponse(access: AccessPolicy, status: number, order: Order, headers: Record<string, string> = {}): HttpResult {
  return json(status, maskRecord(access, 'orders', order), { etag: etagOf(order.version), ...headers });
}
