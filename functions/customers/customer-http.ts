import { etagOf, maskRecord, type AccessPolicy, type Customer, type DuplicateCandidate } from '@crm/core';
import { json, type HttpResult } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';

/** The customer `{id}` path parameter (404 when malformed). */
export function customerIdParam(params: Record<string, string>): string {
  return recordIdParam(params, 'Customer');
}

/**
 * A customer response, without the fields hidden from the caller, with its ETag (sent back as
 * If-Match); a write that resembles existing customers lists them as `duplicates`.
 */
export function customerResponse(access: AccessPolicy, status: number, customer: Customer, headers: Record<string, string> = {}, duplicates: DuplicateCandidate[] = []): HttpResult {
  const body = maskRecord(access, 'customers', customer);
  return json(status, duplicates.length > 0 ? { ...body, duplicates } : body, { etag: etagOf(customer.version), ...headers });
}
