import type { TransactOperation } from '../ports/table-store.port';
import { assertWritable, type SecuredContext } from '../access/access-policy';
import { normaliseAddressInput, normaliseEmailInputs, normalisePhoneInputs } from './contact-normalisation';
import { applyFieldRegistry, type FieldDefinition } from '../fields/field-registry';
import { createIdempotently } from '../idempotency/idempotency';
import {
  actorOf, assertCompanyReference, assertOrgPath, customerAuditOperation, hideRemovedFields, loadCustomerWriteConfig, openForCaller, sealCustomer, toProfileItem, requestHash, type CustomerDeps,
} from './customer.repository';
import { assertTransactionSize, derivedItemOperations, rethrowUniqueViolation } from './derived-items';
import { checkDuplicates, duplicateOverrideDetail } from '../duplicates/duplicate-check';
import type { CreateCustomerInput, Customer } from './customer.schema';
import type { DuplicateCandidate, DuplicatePolicy } from '../duplicates/duplicate.types';

const IDEMPOTENCY_SCOPE = 'create-customer';

export interface CreateCustomerResult {
  customer: Customer;
  /** True when this answers a retried request with the stored response of the first one. */
  replayed: boolean;
  /** Existing customers this one resembles (policy `warn`; empty under `allow`). */
  duplicates: DuplicateCandidate[];
}

/**
 * Creates a person or company. The profile, its tag items and (with an Idempotency-Key) the stored
 * response are written in one transaction, so a retry can never create a second record.
 */
export async function createCustomer(
  deps: CustomerDeps,
  ctx: SecuredContext,
  input: CreateCustomerInput,
  options: { idempotencyKey?: string; rawBody?: unknown; duplicatePolicy?: DuplicatePolicy; overrideDuplicates?: boolean } = {},
): Promise<CreateCustomerResult> {
  const { tenantId } = ctx.principal;
  const idem = options.idempotencyKey;
  const request = idem ? { key: idem, hash: requestHash(options.rawBody ?? input) } : undefined;
  let created: { customer: Customer; fields: FieldDefinition[]; duplicates: CreateCustomerResult['duplicates'] } | undefined;
  const { response, replayed: wasReplayed } = await createIdempotently<Customer>(deps.store, tenantId, IDEMPOTENCY_SCOPE, request, async () => {
    assertWritable(ctx.access, 'customers', (options.rawBody ?? input) as Record<string, unknown>);
    const orgPath = input.orgPath ?? ctx.principal.orgPath ?? '/';
    if (input.orgPath !== undefined) await assertOrgPath(deps.store, ctx, input.orgPath);
    await assertCompanyReference(deps.store, tenantId, input.kind, input.companyId);
    const { security, fields, settings } = await loadCustomerWriteConfig(deps.store, tenantId);
    const customFields = applyFieldRegistry(fields, input.customFields, 'create') as Customer['customFields'];

    const now = deps.clock.now();
    const actor = actorOf(ctx.principal);
    const customer: Customer = {
      id: deps.ids.next(),
      kind: input.kind,
      name: input.name,
      phones: normalisePhoneInputs(input.phones, settings.defaultPhoneRegion),
      emails: normaliseEmailInputs(input.emails),
      ...(input.address ? { address: normaliseAddressInput(input.address) } : {}),
      tags: [...new Set(input.tags)],
      ownerId: input.ownerId !== undefined ? input.ownerId : ctx.principal.kind === 'user' ? ctx.principal.subject : null,
      ...(input.companyId ? { companyId: input.companyId } : {}),
      orgPath,
      customFields,
      version: 1,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      createdBy: actor,
      updatedBy: actor,
    };

    const check = await checkDuplicates(deps.store, ctx, customer, options.duplicatePolicy ?? settings.duplicatePolicy, { override: options.overrideDuplicates ?? false });
    const detail = duplicateOverrideDetail(check);

    const sealed = await sealCustomer(deps, tenantId, customer, security);
    const operations: TransactOperation[] = [
      { type: 'put', item: toProfileItem(tenantId, sealed), condition: { kind: 'notExists' } },
      ...derivedItemOperations(tenantId, undefined, customer, { fields, sensitiveFields: security.sensitiveFields }),
      customerAuditOperation(deps, ctx, 'customers:create', undefined, customer, { sensitive: security.sensitiveFields, ...(detail ? { detail } : {}) }),
    ];
    created = { customer, fields, duplicates: check.duplicates };
    // The stored response is sealed too: idempotency records never hold sensitive values in clear.
    return { operations, response: { status: 201, body: sealed }, now, validate: assertTransactionSize, rethrow: rethrowUniqueViolation };
  });
  if (wasReplayed || !created) return { customer: await replayed(deps, ctx, response.body), replayed: true, duplicates: [] };
  return { customer: hideRemovedFields(created.customer, created.fields), replayed: false, duplicates: created.duplicates };
}

/** A replayed response is presented like any read (sealed fields opened or dropped, removed fields hidden). */
function replayed(deps: CustomerDeps, ctx: SecuredContext, stored: Customer): Promise<Customer> {
  return openForCaller(deps, ctx, stored);
}
