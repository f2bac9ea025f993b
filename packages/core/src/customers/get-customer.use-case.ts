import type { SecuredContext } from '../access/access-policy';
import { requireVisibleCustomer, type CustomerDeps } from './customer.repository';
import type { Customer } from './customer.schema';

/**
 * Reads one customer of the caller's data domain. Another tenant's id simply is not in this tenant's
 * key space, and a record outside the caller's domain is hidden the same way: both answer 404.
 * Soft-deleted customers are 404 unless asked for.
 */
export async function getCustomer(
  deps: Pick<CustomerDeps, 'store'>,
  ctx: SecuredContext,
  id: string,
  options: { includeDeleted?: boolean } = {},
): Promise<Customer> {
  return requireVisibleCustomer(deps.store, ctx, id, options);
}
