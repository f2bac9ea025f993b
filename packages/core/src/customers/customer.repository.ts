import { createHash } from 'node:crypto';
import { canonicalJson } from '../shared/canonical-json';
import { assertIfMatchVersion } from '../shared/etag';
export { etagOf } from '../shared/etag';
import type { Clock } from '../ports/clock.port';
import type { IdGenerator } from '../ports/id-generator.port';
import type { Item, TableStore, TransactOperation } from '../ports/table-store.port';
import { AppError, notFound } from '../errors';
import type { Principal, RequestContext } from '../principal';
import { auditEntryFrom, auditPutOperation, diffChanges } from '../audit/audit-entry';
import type { AuditChange } from '../audit/audit.schema';
import { fieldAccess } from '../access/access-policy';
import type { FieldEncryptor } from '../ports/field-encryptor.port';
import { maskFields, openFields, sealFields } from '../security/sensitive-fields';
import { loadSecuritySettings, type LoadedSecuritySettings } from '../security/security-settings';
import { loadCustomerSettings, type CustomerSettings } from '../settings/customer-settings';
import { loadFieldDefinitions, removedFieldKeys, type FieldDefinition } from '../fields/field-registry';
import { accessKeys } from '../access/access.keys';
import type { SecuredContext } from '../access/access-policy';
import { assertAssignableOrgPath, canSeeRecord } from '../access/data-scope';
import { customerIndexAttributes, customerKeys } from './customer.keys';
import type { Customer } from './customer.schema';
import { pickFields } from '../shared/pick-fields';

/** What the customer use cases depend on (ports only; adapters are chosen by the composition root). */
export interface CustomerDeps {
  store: TableStore;
  clock: Clock;
  ids: IdGenerator;
  encryptor: FieldEncryptor;
}

const RECORD_FIELDS = [
  'id', 'kind', 'name', 'phones', 'emails', 'address', 'tags', 'ownerId', 'companyId', 'orgPath', 'customFields', 'claimedAt', 'enrichment', 'rfm',
  'mergedInto', 'mergedAt', 'archived', 'archivedAt', 'version', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'deletedAt', 'deletedBy',
] as const satisfies readonly (keyof Customer)[];

/** Stored profile item for a customer record (keys + index attributes + the record itself). */
export function toProfileItem(tenantId: string, c: Customer): Item {
  return {
    ...customerKeys.profile(tenantId, c.id),
    ...customerIndexAttributes(tenantId, c),
    entity: 'customer',
    tenantId,
    ...c,
  };
}

/** The API record of a stored profile item: only record fields, never keys or tenant. */
export function toCustomer(item: Item): Customer {
  return pickFields<Customer>(item, RECORD_FIELDS);
}

/** Tag membership items of a live customer. */
export function tagItems(tenantId: string, c: Customer): Item[] {
  if (c.deletedAt || c.mergedInto) return [];
  return c.tags.map((tag) => ({
    ...customerKeys.tag(tenantId, tag, c.name, c.id),
    entity: 'customer-tag',
    tenantId,
    customerId: c.id,
    tag,
  }));
}


/** Loads a profile with a strongly consistent read; undefined when absent. */
export async function loadCustomer(store: TableStore, tenantId: string, id: string): Promise<Customer | undefined> {
  const item = await store.get(customerKeys.profile(tenantId, id), { consistent: true });
  return item ? toCustomer(item) : undefined;
}

/**
 * Loads a customer the caller may see, or throws 404 — a record outside the caller's data domain is
 * indistinguishable from one that does not exist. Deleted ones only when asked for.
 */
export async function requireVisibleCustomer(store: TableStore, ctx: SecuredContext, id: string, options: { includeDeleted?: boolean; followMerged?: boolean } = {}): Promise<Customer> {
  const loaded = await loadCustomer(store, ctx.principal.tenantId, id);
  // A merged record answers reads with its survivor (a chain of merges is followed a few hops).
  const c = options.followMerged ? await followMerges(store, ctx.principal.tenantId, loaded) : loaded;
  if (!c || (c.deletedAt && !options.includeDeleted) || !canSeeRecord(ctx.access, 'customer', c)) throw notFound(`Customer ${id}`);
  if (c.mergedInto) throw new AppError('customer_merged', `Customer ${id} was merged into ${c.mergedInto}; use that record`, { survivorId: c.mergedInto });
  return c;
}

const MAX_MERGE_HOPS = 5;

/** The survivor of a merged customer (a chain of merges followed up to 5 hops; still merged beyond that). */
export async function followMerges(store: TableStore, tenantId: string, customer: Customer | undefined): Promise<Customer | undefined> {
  let c = customer;
  for (let hops = 0; c?.mergedInto && hops < MAX_MERGE_HOPS; hops += 1) c = await loadCustomer(store, tenantId, c.mergedInto);
  return c;
}

/** Validates the owning org unit a caller asks for: inside its subtree, and an existing unit. */
export async function assertOrgPath(store: TableStore, ctx: SecuredContext, orgPath: string): Promise<void> {
  assertAssignableOrgPath(ctx.access, orgPath);
  if (orgPath === '/') return;
  if (!(await store.get(accessKeys.orgPath(ctx.principal.tenantId, orgPath)))) {
    throw new AppError('validation_failed', `Org unit ${orgPath} does not exist`, { errors: [{ path: 'body.orgPath', message: 'no such org unit' }] });
  }
}

/** A person's company must be a live company record of the same tenant. */
export async function assertCompanyReference(store: TableStore, tenantId: string, kind: Customer['kind'], companyId: string | undefined): Promise<void> {
  if (companyId === undefined) return;
  if (kind !== 'person') {
    throw new AppError('validation_failed', 'Only a person can belong to a company', {
      errors: [{ path: 'body.companyId', message: 'only persons have a companyId' }],
    });
  }
  const company = await loadCustomer(store, tenantId, companyId);
  if (!company || company.deletedAt || company.kind !== 'company') {
    throw new AppError('validation_failed', `Company ${companyId} does not exist`, {
      errors: [{ path: 'body.companyId', message: 'no such company' }],
    });
  }
}

/** Who did it, as recorded in createdBy/updatedBy/deletedBy. */
export function actorOf(principal: Principal): string {
  return principal.kind === 'client' ? `client:${principal.subject}` : principal.subject;
}

/** Checks an If-Match header against the customer's current version (412 with the current ETag when stale). */
export function assertIfMatch(ifMatch: string, current: Customer): void {
  assertIfMatchVersion(ifMatch, current.version, 'The customer');
}

/** Canonical hash of a request body, to tell an idempotent retry from a different request. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('base64url');
}


/**
 * The audit record of a customer change, to be written in the change's own transaction. Changes
 * are field-level (customFields per key); a delete keeps the before-image.
 */
export function customerAuditOperation(
  deps: Pick<CustomerDeps, 'clock' | 'ids'>,
  ctx: RequestContext,
  action: string,
  before: Customer | undefined,
  after: Customer,
  options: { keepBefore?: boolean; detail?: Record<string, unknown>; sensitive?: readonly string[] } = {},
): TransactOperation {
  return auditPutOperation(auditEntryFrom(ctx, {
    action, resource: 'customer', resourceId: after.id,
    changes: redactSensitive(diffChanges(before as Record<string, unknown> | undefined, after as Record<string, unknown>), options.sensitive ?? []),
    ...(options.keepBefore && before ? { before: before as Record<string, unknown> } : {}),
    ...(options.detail ? { detail: options.detail } : {}),
  }, deps.clock, deps.ids));
}

/** Sensitive values never enter the audit log in clear: the change is recorded, the values are not. */
function redactSensitive(changes: AuditChange[], sensitive: readonly string[]): AuditChange[] {
  if (sensitive.length === 0) return changes;
  const isSensitive = (field: string) => sensitive.some((p) => field === p || field.startsWith(`${p}.`));
  return changes.map((c) => (isSensitive(c.field) ? { field: c.field, ...(c.before !== undefined ? { before: '[sensitive]' } : {}), ...(c.after !== undefined ? { after: '[sensitive]' } : {}) } : c));
}

/** The record as stored: the tenant's sensitive fields sealed with envelope encryption. */
export function sealCustomer(deps: Pick<CustomerDeps, 'encryptor'>, tenantId: string, c: Customer, settings: LoadedSecuritySettings): Promise<Customer> {
  return sealFields(c, settings.sensitiveFields, tenantId, deps.encryptor);
}

/** The stored record fully decrypted, for use cases that rewrite it. */
export function openCustomer(deps: Pick<CustomerDeps, 'encryptor'>, tenantId: string, c: Customer, settings: LoadedSecuritySettings): Promise<Customer> {
  return openFields(c, settings.decryptFields, tenantId, deps.encryptor);
}

/**
 * The stored record as this caller may read it: sealed fields the caller may not see are dropped
 * without being decrypted, the others are decrypted.
 */
export function openCustomerFor(deps: Pick<CustomerDeps, 'encryptor'>, ctx: SecuredContext, c: Customer, settings: LoadedSecuritySettings): Promise<Customer> {
  const hidden = settings.decryptFields.filter((p) => fieldAccess(ctx.access, 'customers', p) === 'hidden');
  const visible = settings.decryptFields.filter((p) => !hidden.includes(p));
  return openFields(maskFields(c, hidden), visible, ctx.principal.tenantId, deps.encryptor);
}

/** Sensitive paths present in a record the caller is about to read (each such read is audited). */
export function sensitivePathsRead(ctx: SecuredContext, c: Customer, settings: LoadedSecuritySettings): string[] {
  return settings.sensitiveFields.filter((p) => {
    if (fieldAccess(ctx.access, 'customers', p) === 'hidden') return false;
    const [top, key] = p.split('.') as [string, string | undefined];
    const value = (c as Record<string, unknown>)[top];
    return key === undefined ? value !== undefined : !!value && typeof value === 'object' && (value as Record<string, unknown>)[key] !== undefined;
  });
}

/** What shapes every customer read and write of a tenant: its sensitive fields and field registry. */
export interface CustomerConfig {
  security: LoadedSecuritySettings;
  fields: FieldDefinition[];
}

/** What a write needs besides: the tenant's data-quality settings (duplicate policy, phone region). */
export interface CustomerWriteConfig extends CustomerConfig {
  settings: CustomerSettings;
}

/**
 * The tenant's security settings and custom-field registry, read together (two key reads in
 * parallel). Writes read them consistently, so a change made just before is already applied.
 */
export async function loadCustomerConfig(store: TableStore, tenantId: string, options: { consistent?: boolean } = {}): Promise<CustomerConfig> {
  const [security, fields] = await Promise.all([
    loadSecuritySettings(store, tenantId, { consistent: options.consistent ?? false }),
    loadFieldDefinitions(store, tenantId, 'customer'),
  ]);
  return { security, fields };
}

/** The configuration a write applies, read consistently (a change made just before already counts). */
export async function loadCustomerWriteConfig(store: TableStore, tenantId: string): Promise<CustomerWriteConfig> {
  const [config, settings] = await Promise.all([loadCustomerConfig(store, tenantId, { consistent: true }), loadCustomerSettings(store, tenantId)]);
  return { ...config, settings };
}

/** A stored record as the caller may see it: sealed fields opened or dropped, removed custom fields hidden. */
export async function presentCustomer(deps: Pick<CustomerDeps, 'encryptor'>, ctx: SecuredContext, stored: Customer, config: CustomerConfig): Promise<Customer> {
  return hideRemovedFields(await openCustomerFor(deps, ctx, stored, config.security), config.fields);
}

/** A stored record presented to the caller with the tenant's current configuration. */
export async function openForCaller(deps: Pick<CustomerDeps, 'encryptor' | 'store'>, ctx: SecuredContext, stored: Customer): Promise<Customer> {
  return presentCustomer(deps, ctx, stored, await loadCustomerConfig(deps.store, ctx.principal.tenantId));
}

/** Values of removed custom fields stay stored (restorable) but are never shown. */
export function hideRemovedFields(c: Customer, definitions: FieldDefinition[]): Customer {
  const removed = removedFieldKeys(definitions);
  if (removed.length === 0 || !c.customFields) return c;
  const customFields = { ...c.customFields };
  for (const key of removed) delete customFields[key];
  return { ...c, customFields };
}
