export * from './audit.schema';
export * from './audit.keys';
export * from './audit-entry';
export * from './audit-chain';

export { listAudit, verifyAudit, DEFAULT_AUDIT_WINDOW_DAYS, type AuditDeps } from './read-audit.use-case';
