import type { CountryCode } from 'libphonenumber-js';
import type { TableStore } from '../ports/table-store.port';
import type { SecuredContext } from '../access/access-policy';
import { canSeeRecord } from '../access/data-scope';
import { customerKeys } from '../customers/customer.keys';
import { followMerges, loadCustomer, toCustomer } from '../customers/customer.repository';
import type { Customer } from '../customers/customer.schema';
import { blockingKeyPartition, type BlockingKeyType } from '../duplicates/duplicate-keys';
import { normalisePhone } from '../normalisation/phone';
import { interactionKeys } from './interaction.keys';
import type { InteractionIdentity } from './interaction.schema';

export type IdentityMatch = 'externalId' | 'phone' | 'email';

/** Candidates read per lookup key (a phone shared by more customers than this is not an identity). */
const MAX_CANDIDATES = 25;

/**
 * Finds the customer an identity belongs to, through lookup items only (never a scan): the external
 * id item first (exact), then the phone and email blocking-key items the customer module keeps for
 * duplicate checks (one Query each). Only live customers the caller may see count; when several
 * match, the most recently updated wins.
 */
export async function resolveIdentity(
  store: TableStore,
  ctx: SecuredContext,
  identity: InteractionIdentity,
  phoneRegion: CountryCode,
): Promise<{ customer: Customer; matchedBy: IdentityMatch } | undefined> {
  const { tenantId } = ctx.principal;
  if (identity.externalId) {
    const link = await store.get(interactionKeys.externalId(tenantId, identity.externalId.system, identity.externalId.id), { consistent: true });
    const c = await followMerges(store, tenantId, link ? await loadCustomer(store, tenantId, link.customerId as string) : undefined);
    if (c && isMatchable(ctx, c)) return { customer: c, matchedBy: 'externalId' };
  }
  const phone = identity.phone ? identityPhone(identity.phone, phoneRegion) : undefined;
  if (phone) {
    const c = await bestCandidate(store, ctx, blockingKeyPartition(tenantId, phone));
    if (c) return { customer: c, matchedBy: 'phone' };
  }
  if (identity.email) {
    const c = await bestCandidate(store, ctx, blockingKeyPartition(tenantId, { type: 'email', value: identity.email.toLowerCase() }));
    if (c) return { customer: c, matchedBy: 'email' };
  }
  return undefined;
}

/** The blocking key of a phone as the customer module computes it (E.164; mobile → phone, others → fixedLine). */
export function identityPhone(raw: string, region: CountryCode): { type: BlockingKeyType; value: string } | undefined {
  const n = normalisePhone(raw, { defaultRegion: region });
  if (!n.valid || !n.e164) return undefined;
  return { type: n.type === 'mobile' || n.type === 'fixed_line_or_mobile' ? 'phone' : 'fixedLine', value: n.e164 };
}

async function bestCandidate(store: TableStore, ctx: SecuredContext, partition: string): Promise<Customer | undefined> {
  const page = await store.query({ partition, limit: MAX_CANDIDATES, consistent: true });
  if (page.items.length === 0) return undefined;
  const { tenantId } = ctx.principal;
  const profiles = await store.batchGet(page.items.map((i) => customerKeys.profile(tenantId, i.sk)));
  return profiles.map(toCustomer).filter((c) => isMatchable(ctx, c))
    .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : a.id < b.id ? 1 : -1))[0];
}

function isMatchable(ctx: SecuredContext, c: Customer): boolean {
  return !c.deletedAt && !c.mergedInto && canSeeRecord(ctx.access, 'customer', c);
}
