import type { SecuredContext } from '../access/access-policy';
import { loadCustomerConfig, openCustomer, requireVisibleCustomer, type CustomerDeps } from '../customers/customer.repository';
import { findDuplicates } from './find-duplicates';
import type { DuplicateCandidate } from './duplicate.types';

/** Existing customers a stored customer resembles (the caller's data domain; others only counted). */
export async function findCustomerDuplicates(deps: Pick<CustomerDeps, 'store' | 'encryptor'>, ctx: SecuredContext, id: string): Promise<{ items: DuplicateCandidate[]; hiddenMatches: number }> {
  const stored = await requireVisibleCustomer(deps.store, ctx, id);
  const { security } = await loadCustomerConfig(deps.store, ctx.principal.tenantId);
  const plain = await openCustomer(deps, ctx.principal.tenantId, stored, security);
  const found = await findDuplicates(deps.store, ctx, plain, { excludeIds: [id] });
  return { items: found.visible, hiddenMatches: found.hidden };
}
