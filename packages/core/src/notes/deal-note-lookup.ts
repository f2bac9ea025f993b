import { canSeeRecord } from '../access/data-scope';
import { loadDeal } from '../deals/deal.repository';
import type { DealNoteLookup } from './note.repository';

/**
 * The deals module's answer for deal notes: a live deal's customer, and whether the caller's data
 * scope covers the deal (owner, org subtree, share `deal:<id>`). Deleted deals take no new notes.
 */
export const dealNoteLookup: DealNoteLookup = async (store, ctx, dealId) => {
  const deal = await loadDeal(store, ctx.principal.tenantId, dealId);
  if (!deal || deal.deletedAt) return undefined;
  return { customerId: deal.customerId, visible: canSeeRecord(ctx.access, 'deal', deal) };
};
