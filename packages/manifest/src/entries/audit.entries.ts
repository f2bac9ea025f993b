import type { ManifestEntry } from '../manifest.types';
import { jwtRoute, SCOPES } from './route-builder';

// The read routes are read-write: a refused read is itself written to the audit log.
const reader = { context: 'trust', table: 'read-write', scopes: SCOPES.admin, permission: 'audit:read' } as const;

/** Trust: the tamper-evident audit log (reads, verification, chaining and archiving). */
export const auditEntries: ManifestEntry[] = [
  jwtRoute('trust', 'list-audit', 'GET', '/v1/audit', 'List audit records, newest first (filter by resource, record, actor, time; auditors and admins)', reader),
  jwtRoute('trust', 'verify-audit', 'GET', '/v1/audit/verify', "Verify the tenant's audit hash chain (auditors and admins)", reader),
  {
    kind: 'stream', name: 'chain-audit', context: 'trust', entry: 'functions/trust/chain-audit.handler.ts', entities: ['audit'],
    table: 'read-write', buckets: ['audit'], batchSize: 100, maxBatchingWindowSeconds: 1,
    summary: 'Links new audit records into the per-tenant hash chain and archives them (Object Lock)',
  },
];
