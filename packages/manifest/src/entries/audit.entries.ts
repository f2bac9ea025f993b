import type { ManifestEntry } from '../manifest.types';

const ADMIN = ['crm/admin'];
// The read routes are read-write: a refused read is itself written to the audit log.

/** Trust: the tamper-evident audit log (reads, verification, chaining and archiving). */
export const auditEntries: ManifestEntry[] = [
  {
    kind: 'http', name: 'list-audit', context: 'trust', method: 'GET', path: '/v1/audit',
    entry: 'functions/trust/list-audit.handler.ts', table: 'read-write',
    auth: { type: 'jwt', scopes: ADMIN, permission: 'audit:read' },
    summary: 'List audit records, newest first (filter by resource, record, actor, time; auditors and admins)',
  },
  {
    kind: 'http', name: 'verify-audit', context: 'trust', method: 'GET', path: '/v1/audit/verify',
    entry: 'functions/trust/verify-audit.handler.ts', table: 'read-write',
    auth: { type: 'jwt', scopes: ADMIN, permission: 'audit:read' },
    summary: "Verify the tenant's audit hash chain (auditors and admins)",
  },
  {
    kind: 'stream', name: 'chain-audit', context: 'trust', entry: 'functions/trust/chain-audit.handler.ts',
    table: 'read-write', buckets: ['audit'], batchSize: 100, maxBatchingWindowSeconds: 1,
    summary: 'Links new audit records into the per-tenant hash chain and archives them (Object Lock)',
  },
];
