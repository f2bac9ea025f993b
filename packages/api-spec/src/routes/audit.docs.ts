import { AuditEntry, AuditPage, AuditVerification, ListAuditQuery, VerifyAuditQuery } from '@crm/core';
import * as z from 'zod';
import type { RouteDoc } from '../route-doc';

const AuditEntryDoc = AuditEntry.meta({ id: 'AuditEntry' });
const AuditPageDoc = AuditPage.extend({ items: z.array(AuditEntryDoc) }).meta({ id: 'AuditPage' });
const AuditVerificationDoc = AuditVerification.meta({ id: 'AuditVerification' });

export const auditDocs: Record<string, RouteDoc> = {
  'list-audit': { query: ListAuditQuery, ok: { 200: AuditPageDoc }, errors: [400] },
  'verify-audit': { query: VerifyAuditQuery, ok: { 200: AuditVerificationDoc }, errors: [400] },
};
