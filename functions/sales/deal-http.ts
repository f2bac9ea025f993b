import { etagOf, maskRecord, type AccessPolicy, type Deal } from '@crm/core';
import { json, type HttpResult } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';

/** The deal `{id}` path parameter (404 when malformed). */
export function dealIdParam(params: Record<string, string>): string {
  return recordIdParam(params, 'Deal');
}

/** A deal without the fields hidden from the caller (field masks on `deals`). */
export function maskDeal(access: AccessPolicy, deal: Deal): Deal {
  return maskRecord(access, 'deals', deal);
}

/** A deal response with its ETag (sent back as If-Match). */
export function dealResponse(access: AccessPolicy, status: number, deal: Deal): HttpResult {
  return json(status, maskDeal(access, deal), { etag: etagOf(deal.version) });
}
