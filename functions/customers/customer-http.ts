import { etagOf, maskRecord, type AccessPolicy, type Customer } from '@crm/core';
import { json, type HttpResult } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';

/** The customer `{id}` path parameter (404 when malformed). */
export function customerIdParam(params: Record<string, string>): string {
  return recordIdParam(params, 'Customer');
}

/** A customer response, without the fields hidden from the caller, with its ETag (sent back as If-Match). */
export function customerResponse(access: AccessPolicy, status: number, customer: Customer, headers: Record<string, string> = {}): HttpResult {
  return json(status, maskRecord(access, 'customers', customer), { etag: etagOf(customer.version), ...headers });
}
