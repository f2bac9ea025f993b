import type { SecuredContext } from '../access/access-policy';
import { hideRemovedFields, openCustomerFor, requireVisibleCustomer, sensitivePathsRead, type CustomerDeps } from './customer.repository';
import { loadFieldDefinitions } from '../fields/field-registry';
import { loadSecuritySettings } from '../security/security-settings';
import { auditEntryFrom, writeAudit } from '../audit/audit-entry';
import type { Customer } from './customer.schema';

/**
 * Reads one customer of the caller's data domain. Another tenant's id simply is not in this tenant's
 * key space, and a record outside the caller's domain is hidden the same way: both answer 404.
 * Soft-deleted customers are 404 unless asked for.
 */
export async function getCustomer(
  deps: CustomerDeps,
  ctx: SecuredContext,
  id: string,
  options: { includeDeleted?: boolean } = {},
): Promise<Customer> {
  const stored = await requireVisibleCustomer(deps.store, ctx, id, options);
  const security = await loadSecuritySettings(deps.store, ctx.principal.tenantId, { consistent: false });
  const read = sensitivePathsRead(ctx, stored, security);
  if (read.length > 0) {
    // Reading a sensitive field is itself an audited event.
    await writeAudit(deps.store, auditEntryFrom(ctx, { action: 'customers:read-sensitive', resource: 'customer', resourceId: id, detail: { fields: read } }, deps.clock, deps.ids));
  }
  return hideRemovedFields(await openCustomerFor(deps, ctx, stored, security), await loadFieldDefinitions(deps.store, ctx.principal.tenantId, 'customer'));
}
