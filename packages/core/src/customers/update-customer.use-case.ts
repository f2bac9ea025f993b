import { AppError } from '../errors';
import { assertWritable, type SecuredContext } from '../access/access-policy';
import {
  actorOf, assertCompanyReference, assertIfMatch, assertOrgPath, customerAuditOperation, hideRemovedFields, loadCustomerWriteConfig, openCustomer, requireVisibleCustomer, sealCustomer, toProfileItem, type CustomerDeps,
} from './customer.repository';
import { derivedItemOperations } from './derived-items';
import { checkDuplicates, duplicateOverrideDetail, type DuplicateCheck } from '../duplicates/duplicate-check';
import { blockingKeys } from '../duplicates/duplicate-keys';
import type { DuplicateCandidate, DuplicatePolicy } from '../duplicates/duplicate.types';
import type { CountryCode } from 'libphonenumber-js';
import { writeVersioned } from './write-versioned';
import { normaliseAddressInput, normaliseEmailInputs, normalisePhoneInputs } from './contact-normalisation';
import { applyFieldRegistry } from '../fields/field-registry';
import { claimLeaseKey, claimLeaseOperation } from './claim-customer.use-case';
import type { Customer, UpdateCustomerInput } from './customer.schema';
import { assertNotArchived } from './archived-customer';

/**
 * Applies a JSON merge patch to a customer under optimistic locking: the caller must send the
 * ETag it read (If-Match); a concurrent change makes the conditional write fail and answers 412.
 */
export async function updateCustomer(
  deps: CustomerDeps,
  ctx: SecuredContext,
  id: string,
  patch: UpdateCustomerInput,
  ifMatch: string | undefined,
  options: { overrideDuplicates?: boolean } = {},
): Promise<{ customer: Customer; duplicates: DuplicateCandidate[] }> {
  if (!ifMatch) throw new AppError('precondition_required', 'Send the ETag you read as If-Match');
  const { tenantId } = ctx.principal;
  const current = await requireVisibleCustomer(deps.store, ctx, id);
  assertNotArchived(current);
  assertWritable(ctx.access, 'customers', patch as Record<string, unknown>);
  assertIfMatch(ifMatch, current);
  if (patch.orgPath !== undefined) await assertOrgPath(deps.store, ctx, patch.orgPath);

  const { security, fields, settings } = await loadCustomerWriteConfig(deps.store, tenantId);
  if (patch.customFields) applyFieldRegistry(fields, patch.customFields, 'update');
  const plain = await openCustomer(deps, tenantId, current, security);
  const next = applyPatch(plain, patch, settings.defaultPhoneRegion);
  if (patch.companyId !== undefined && patch.companyId !== null) {
    await assertCompanyReference(deps.store, tenantId, current.kind, patch.companyId);
  }
  const now = deps.clock.now().toISOString();
  const updated: Customer = { ...next, version: current.version + 1, updatedAt: now, updatedBy: actorOf(ctx.principal) };
  const check = await checkNewMatches(deps, ctx, plain, updated, settings.duplicatePolicy, options.overrideDuplicates ?? false);
  const detail = duplicateOverrideDetail(check);

  // Touching a claimed customer renews its protection period; giving it to someone else ends the claim.
  const lease = updated.claimedAt && updated.ownerId === ctx.principal.subject ? [claimLeaseOperation(tenantId, updated, deps.clock.now())]
    : current.claimedAt && !updated.claimedAt ? [{ type: 'delete' as const, key: claimLeaseKey(tenantId, id) }] : [];
  await writeVersioned(deps.store, tenantId, current, [
    { type: 'put', item: toProfileItem(tenantId, await sealCustomer(deps, tenantId, updated, security)) },
    ...lease,
    ...derivedItemOperations(tenantId, plain, updated, { fields, sensitiveFields: security.sensitiveFields }),
    customerAuditOperation(deps, ctx, 'customers:update', plain, updated, { sensitive: security.sensitiveFields, ...(detail ? { detail } : {}) }),
  ]);
  return { customer: hideRemovedFields(updated, fields), duplicates: check.duplicates };
}

/** Only a change that adds a blocking key (new phone, email, name…) can create a new duplicate. */
async function checkNewMatches(deps: CustomerDeps, ctx: SecuredContext, before: Customer, after: Customer, policy: DuplicatePolicy, override: boolean): Promise<DuplicateCheck> {
  const had = new Set(blockingKeys(before).map((k) => `${k.type}:${k.value}`));
  if (blockingKeys(after).every((k) => had.has(`${k.type}:${k.value}`))) return { duplicates: [], overridden: false };
  return checkDuplicates(deps.store, ctx, after, policy, { override, excludeIds: [after.id] });
}

/** RFC 7396 merge of the patch into the record (customFields merge per key; null clears). */
export function applyPatch(current: Customer, patch: UpdateCustomerInput, phoneRegion?: CountryCode): Customer {
  const next: Customer = { ...current };
  if (patch.name !== undefined) next.name = patch.name;
  if (patch.phones !== undefined) next.phones = normalisePhoneInputs(patch.phones ?? [], phoneRegion);
  if (patch.emails !== undefined) next.emails = normaliseEmailInputs(patch.emails ?? []);
  if (patch.tags !== undefined) next.tags = [...new Set(patch.tags ?? [])];
  if (patch.ownerId !== undefined) {
    next.ownerId = patch.ownerId;
    delete next.claimedAt;
  }
  if (patch.orgPath !== undefined) next.orgPath = patch.orgPath;
  if (patch.address !== undefined) {
    if (patch.address === null) delete next.address;
    else next.address = normaliseAddressInput(patch.address);
  }
  if (patch.companyId !== undefined) {
    if (patch.companyId === null) delete next.companyId;
    else next.companyId = patch.companyId;
  }
  if (patch.customFields !== undefined) {
    const merged = { ...current.customFields };
    for (const [key, value] of Object.entries(patch.customFields)) {
      if (value === null) delete merged[key];
      else merged[key] = value;
    }
    next.customFields = merged;
  }
  return next;
}
