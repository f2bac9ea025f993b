import { SecuritySettings, SecuritySettingsInput } from '@crm/core';
import * as z from 'zod';
import type { RouteDoc } from '../route-doc';

const SecuritySettingsDoc = SecuritySettings.meta({
  id: 'SecuritySettings',
  description: 'Fields listed in sensitiveFields are encrypted at the application level (envelope encryption, AES-256-GCM data keys under KMS).',
});
const SecuritySettingsInputDoc = SecuritySettingsInput.meta({ id: 'SecuritySettingsInput' });
const IfMatch = z.object({ 'if-match': z.string().describe('The ETag you read ("0" while the tenant has the defaults)') });

export const securityDocs: Record<string, RouteDoc> = {
  'get-security-settings': { ok: { 200: SecuritySettingsDoc }, errors: [403] },
  'put-security-settings': { headers: IfMatch, body: SecuritySettingsInputDoc, ok: { 200: SecuritySettingsDoc }, errors: [400, 403, 412, 415, 428] },
};
