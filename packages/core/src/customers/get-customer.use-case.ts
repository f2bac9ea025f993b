import type { SecuredContext } from '../access/access-policy';
import { loadCustomerConfig, presentCustomer, requireVisibleCustomer, sensitivePathsRead, type CustomerDeps } from './customer.repository';
import { auditEntryFrom, writeAudit } from '../audit/audit-entry';
import type { Customer } from './customer.schema';

/**
 * Reads one customer of the caller's data domain. Another tenant's id simply is not in this tenant's
 * key space, and a record outside the caller's domain is hidden the same way: both answer 404.
 * Soft-deleted customers are 404 unless asked for. A merged id answers with its survivor (the
 * returned record's `id` tells the caller where it went).
 */
export async function getCustomer(
  deps: CustomerDeps,
  ctx: SecuredContext,
  id: string,
  options: { includeDeleted?: boolean } = {},
): Promise<Customer> {
  const stored = await requireVisibleCustomer(deps.store, ctx, id, { ...options, followMerged: true });
  const config = await loadCustomerConfig(deps.store, ctx.principal.tenantId);
  const read = sensitivePathsRead(ctx, stored, config.security);
  if (read.length > 0) {
    // Reading a sensitive field is itself an audited event.
    await writeAudit(deps.store, auditEntryFrom(ctx, { action: 'customers:read-sensitive', resource: 'customer', resourceId: stored.id, detail: { fields: read } }, deps.clock, deps.ids));
  }
  return presentCustomer(deps, ctx, stored, config);
}
