import * as z from 'zod';
import { RecordId, RehydrateResult } from '@crm/core';
import type { RouteDoc } from '../route-doc';

const IdParams = z.object({ id: RecordId });

/** Hot/cold archive (ADR 0034). */
export const archiveDocs: Record<string, RouteDoc> = {
  'rehydrate-customer': { params: IdParams, ok: { 200: RehydrateResult }, errors: [404, 412] },
};
