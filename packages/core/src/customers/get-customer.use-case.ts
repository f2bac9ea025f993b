import { notFound } from '../errors';
import type { RequestContext } from '../principal';
import { loadCustomer, type CustomerDeps } from './customer.repository';
import type { Customer } from './customer.schema';

/**
 * Reads one customer of the caller's tenant. Another tenant's id simply is not in this tenant's key
 * space, so it answers 404 like any unknown id. Soft-deleted customers are 404 unless asked for.
 */
export async function getCustomer(
  deps: Pick<CustomerDeps, 'store'>,
  ctx: RequestContext,
  id: string,
  options: { includeDeleted?: boolean } = {},
): Promise<Customer> {
  const customer = await loadCustomer(deps.store, ctx.principal.tenantId, id);
  if (!customer || (customer.deletedAt && !options.includeDeleted)) throw notFound(`Customer ${id}`);
  return customer;
}
