export * from './audit.schema';
export * from './audit.keys';
export * from './audit-entry';
export * from './audit-chain';

export { listAudit, verifyAudit, assertAuditReader, AUDIT_READER_ROLES, DEFAULT_AUDIT_WINDOW_DAYS, type AuditDeps } from './read-audit.use-case';
