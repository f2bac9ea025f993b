import { auditEntryFrom, auditPutOperation } from '../audit/audit-entry';
import { customerKeys, PROFILE_SK } from '../customers/customer.keys';
import type { Clock } from '../ports/clock.port';
import type { CompanyQuery } from '../ports/company-registry.port';
import { isFieldCiphertext } from '../ports/field-encryptor.port';
import type { IdGenerator } from '../ports/id-generator.port';
import { TransactionConflictError, type TableStore } from '../ports/table-store.port';
import { systemContext } from '../principal';
import type { CompanyEnrichment, EnrichmentOutcome } from './company-enrichment';
import type { CustomerEnrichment } from './customer-enrichment.schema';

/** The custom field a tenant keeps a company's unified social credit code in. */
export const CREDIT_CODE_FIELD = 'creditCode';

/** Who the enrichment write is attributed to (audit actor). */
export const ENRICHMENT_ACTOR = 'system:enrichment';

export interface EnrichCompanyCustomerDeps {
  store: TableStore;
  clock: Clock;
  ids: IdGenerator;
  enrichment: CompanyEnrichment;
}

/**
 * - `written`: the registry's record was stored on the customer (audited).
 * - `ignored`: not a new company profile, or nothing to look up.
 * - `not_found`: the registry does not know the company; nothing written (the negative answer is cached).
 * - `deferred`: budget exhausted or registry unavailable; nothing written (see the handler's note).
 * - `skipped`: the customer was deleted, already enriched, or its name/credit code changed meanwhile.
 * - `conflict`: it kept changing under us (three version conflicts in a row).
 */
export type EnrichCompanyCustomerResult =
  | { action: 'written'; enrichment: CustomerEnrichment }
  | { action: 'ignored' }
  | { action: 'not_found' }
  | { action: 'deferred'; outcome: EnrichmentOutcome }
  | { action: 'skipped' }
  | { action: 'conflict' };

/**
 * The lookup a stored customer profile asks for: its `customFields.creditCode` and its name, as
 * long as they are stored in clear (a tenant may seal either as a sensitive field; the enrichment
 * consumer holds no decryption grant and does not guess from ciphertext).
 */
export function companyQueryOfProfile(item: Record<string, unknown>): CompanyQuery | undefined {
  const customFields = (item.customFields ?? {}) as Record<string, unknown>;
  const code = customFields[CREDIT_CODE_FIELD];
  const query: CompanyQuery = {};
  if (typeof code === 'string' && !isFieldCiphertext(code)) query.creditCode = code;
  if (typeof item.name === 'string' && !isFieldCiphertext(item.name)) query.name = item.name;
  return query.creditCode !== undefined || query.name !== undefined ? query : undefined;
}

const isCompanyProfile = (item: Record<string, unknown>) =>
  item.entity === 'customer' && item.sk === PROFILE_SK && item.kind === 'company' && !item.deletedAt && typeof item.tenantId === 'string' && typeof item.id === 'string';

/**
 * Change-feed side of "enrichment never blocks a write": called with the new image of an inserted
 * customer item. Looks the company up (cache → budget → registry) and stores a found record on the
 * customer with a version-conditional write in the same transaction as its audit record.
 *
 * The write does not bump `version` (nor updatedAt/updatedBy): enrichment is server-owned, read-only
 * metadata outside optimistic locking, so a background lookup can never make a client's If-Match
 * fail right after its create. The price: a user edit racing the enrichment write may drop it
 * (derived data only; a re-enrichment restores it).
 *
 * Concurrency: if the customer changed between the lookup and the write, it is re-read and the
 * write retried (up to three times) as long as it is still an un-enriched live company with the
 * same name and credit code; otherwise the enrichment is dropped (it might describe another company).
 */
export async function enrichCompanyCustomer(deps: EnrichCompanyCustomerDeps, inserted: Record<string, unknown>): Promise<EnrichCompanyCustomerResult> {
  if (!isCompanyProfile(inserted) || inserted.enrichment !== undefined) return { action: 'ignored' };
  const query = companyQueryOfProfile(inserted);
  if (!query) return { action: 'ignored' };
  const tenantId = inserted.tenantId as string;
  const id = inserted.id as string;

  const outcome = await deps.enrichment.enrich(tenantId, query);
  if (outcome.status === 'budget_exhausted' || outcome.status === 'unavailable') return { action: 'deferred', outcome };

  if (outcome.status === 'not_found') return { action: 'not_found' };
  const enrichment: CustomerEnrichment = { record: outcome.record, enrichedAt: deps.clock.now().toISOString() };

  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await deps.store.get(customerKeys.profile(tenantId, id), { consistent: true });
    if (!current || !isCompanyProfile(current) || current.enrichment !== undefined) return { action: 'skipped' };
    if (JSON.stringify(companyQueryOfProfile(current)) !== JSON.stringify(query)) return { action: 'skipped' };
    const version = current.version as number;
    try {
      await deps.store.transact([
        {
          type: 'put',
          // The stored item as it is, plus the attribute: index attributes and sealed fields stay untouched.
          item: { ...current, enrichment },
          condition: { kind: 'equals', attribute: 'version', value: version },
        },
        auditPutOperation(auditEntryFrom(systemContext(tenantId, ENRICHMENT_ACTOR), {
          action: 'customers:enrich', resource: 'customer', resourceId: id,
          changes: [{ field: 'enrichment', after: enrichment }],
          detail: { outcome: outcome.status },
        }, deps.clock, deps.ids)),
      ]);
      return { action: 'written', enrichment };
    } catch (error) {
      if (!(error instanceof TransactionConflictError)) throw error;
    }
  }
  return { action: 'conflict' };
}

