import { etagOf, notFound, RecordId, type Customer } from '@crm/core';
import { json, type HttpResult } from '@crm/runtime';

/** The `{id}` path parameter; a malformed id cannot exist, so it answers 404 like a foreign one. */
export function customerIdParam(params: Record<string, string>): string {
  const id = params.id ?? '';
  if (!RecordId.safeParse(id).success) throw notFound(`Customer ${id}`);
  return id;
}

/** A customer response with its ETag, the header clients send back as If-Match. */
export function customerResponse(status: number, customer: Customer, headers: Record<string, string> = {}): HttpResult {
  return json(status, customer, { etag: etagOf(customer.version), ...headers });
}
